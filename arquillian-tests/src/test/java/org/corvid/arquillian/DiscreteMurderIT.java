package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The discrete murder of {@code bin/corvid-murder} (a MUPDATE master, two backends, two frontends: five Corvid
 * nodes from the test server's installation, base offset 9500) seen by its users through the frontends: one
 * namespace from either, INBOXes placed on the emptiest backend at first login, a session using mailboxes on
 * both backends, cross-backend COPY and MOVE keeping flags and dates, LSUB across backends, CREATE on one
 * frontend then SELECT on the other, LMTP fan-out, and a backend killed ({@code 451}, clean IMAP errors) then
 * started again, referrals (RFC 2193) on frontend1 and off on frontend2, placement by fewest mailboxes (frontend1) and explicit (frontend2), special use and LIST-STATUS from the backends. No Arquillian deployment: the script starts every node itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiscreteMurderIT {
    private static final Path DIR = Path.of("target/murder").toAbsolutePath();
    private static final Pattern STATUS = Pattern.compile(
            "(\\S+) (\\S+) imap=(\\d+) lmtp=(\\d+) pop3=(\\d+) mupdate=(\\d+) http=(\\d+) pid=(\\d+|-)");
    private static final Map<String, Map<String, String>> NODES = new HashMap<>();
    private static List<String> status;
    private static String aliceBackend;
    private static String bobBackend;

    private static String murder(String command) throws Exception {
        return Scripts.run("corvid-murder", Map.of("CORVID_MURDER_DIR", DIR.toString(), "CORVID_MURDER_OFFSET", "9500",
                        "CORVID_MURDER_FRONTEND2_OPTS", "-Dcorvid.referrals=false -Dcorvid.placement=server:backend2"),
                DIR.resolveSibling("murder-" + command + ".log"), command);
    }

    private static void readStatus() throws Exception {
        status = murder("status").lines().toList();
        for (String line : status) {
            Matcher m = STATUS.matcher(line);
            assertTrue(m.matches(), line);
            NODES.put(m.group(1), Map.of("roles", m.group(2), "imap", m.group(3), "lmtp", m.group(4),
                    "mupdate", m.group(6), "http", m.group(7), "pid", m.group(8)));
        }
    }

    @BeforeAll
    static void up() throws Exception {
        murder("down"); // a murder a failed run left behind
        new ProcessBuilder("rm", "-rf", DIR.toString()).start().waitFor();
        murder("up");
        readStatus();
    }

    @AfterAll
    static void down() throws Exception {
        murder("down");
    }

    /**
     * {@code command}'s answer on {@code client}, asked again (for up to 5 s) until it is {@code expected}: a
     * frontend learns of a change made through the other one from the master's UPDATE stream, a moment later.
     */
    private static List<String> eventually(LineClient client, String tag, String command, List<String> expected) throws Exception {
        List<String> answer = List.of();
        for (int i = 0; i < 50; i++) {
            client.send(tag + " " + command);
            answer = client.answer(tag);
            if (answer.equals(expected)) {
                break;
            }
            Thread.sleep(100);
        }
        return answer;
    }

    private static int port(String node, String protocol) {
        return Integer.parseInt(NODES.get(node).get(protocol));
    }

    private static LineClient imap(String frontend, String user) throws IOException {
        return LineClient.imap(port(frontend, "imap"), user);
    }

    /** The server of {@code mailbox} in the master's list. */
    private static String serverOf(String mailbox) throws IOException {
        try (LineClient m = LineClient.mupdate(port("master", "mupdate"), "frontend", "frontend")) {
            m.send("F1 FIND \"" + mailbox + "\"");
            List<String> lines = m.answer("F1");
            assertEquals(5, lines.size(), lines.toString());
            return lines.get(2).substring(0, lines.get(2).indexOf('!'));
        }
    }

    @Test
    @Order(1)
    void statusPrintsOneLinePerNodeFrontendsFirst() {
        assertEquals(List.of("frontend1", "frontend2", "master", "backend1", "backend2"),
                status.stream().map(l -> l.substring(0, l.indexOf(' '))).toList());
        assertEquals("frontend1 frontend imap=10943 lmtp=12224 pop3=10910 mupdate=13705 http=17880",
                status.get(0).substring(0, status.get(0).indexOf(" pid=")));
        assertEquals("mupdate", NODES.get("master").get("roles"));
        assertEquals("backend", NODES.get("backend2").get("roles"));
        NODES.values().forEach(n -> assertTrue(n.get("pid").matches("\\d+"), "running: " + n));
    }

    @Test
    @Order(2)
    void inboxesGoToTheEmptiestBackendAndBothFrontendsShowOneNamespace() throws Exception {
        try (LineClient alice = imap("frontend1", "alice")) {
            aliceBackend = serverOf("user.alice");
        }
        try (LineClient bob = imap("frontend1", "bob")) {
            bobBackend = serverOf("user.bob");
        }
        assertNotEquals(aliceBackend, bobBackend, "the second user went to the backend without mailboxes");
        try (LineClient admin = imap("frontend1", "admin")) {
            admin.send("C1 CREATE shared.team " + bobBackend);
            assertEquals(List.of("C1 OK Completed"), admin.answer("C1"));
            admin.send("C2 SETACL shared.team anyone lrswipte");
            assertEquals(List.of("C2 OK Completed"), admin.answer("C2"));
        }
        assertEquals(bobBackend, serverOf("shared.team"));
        // placement: frontend1 the fewest mailboxes, frontend2 always backend2 (corvid.placement=server:backend2)
        String fewest = bobBackend.equals("backend2") ? "backend1" : "backend2";
        try (LineClient admin = imap("frontend1", "admin")) {
            admin.send("P1 CREATE shared.fewest");
            assertEquals(List.of("P1 OK Completed"), admin.answer("P1"));
        }
        assertEquals(fewest, serverOf("shared.fewest"));
        try (LineClient admin = imap("frontend2", "admin")) {
            admin.send("P2 CREATE shared.placed");
            assertEquals(List.of("P2 OK Completed"), admin.answer("P2"));
        }
        assertEquals("backend2", serverOf("shared.placed"));
        try (LineClient admin = imap("frontend1", "admin")) { // gone again: the LISTs below show what alice has
            admin.send("P3 DELETE shared.fewest");
            assertEquals(List.of("P3 OK Completed"), admin.answer("P3"));
            admin.send("P4 DELETE shared.placed");
            assertEquals(List.of("P4 OK Completed"), admin.answer("P4"));
        }
        for (String frontend : List.of("frontend1", "frontend2")) {
            try (LineClient alice = imap(frontend, "alice")) {
                List<String> expected = List.of("* LIST (\\HasNoChildren) \".\" INBOX", "* LIST (\\HasNoChildren) \".\" shared.team",
                        "L1 OK Completed");
                assertEquals(expected, eventually(alice, "L1", "LIST \"\" \"*\"", expected), frontend);
            }
        }
    }

    @Test
    @Order(3)
    void oneSessionUsesBothBackendsAndCopyAndMoveKeepFlagsAndDates() throws Exception {
        try (LineClient alice = imap("frontend1", "alice")) {
            alice.send("A1 APPEND INBOX (\\Flagged $Work) \" 1-Feb-2026 10:00:00 +0000\" {25+}");
            alice.sendRaw("Subject: across\r\n\r\nbody\r\n\r\n");
            assertTrue(alice.answer("A1").get(0).matches("A1 OK \\[APPENDUID \\d+ 1] Completed"));
            alice.send("A2 SELECT INBOX");
            assertTrue(alice.answer("A2").contains("* 1 EXISTS"));
            alice.send("A3 UID COPY 1 shared.team");
            assertTrue(alice.answer("A3").get(0).matches("A3 OK \\[COPYUID \\d+ 1 1] Completed"));
            alice.send("A4 SELECT shared.team"); // on the other backend, same session
            assertTrue(alice.answer("A4").contains("* 1 EXISTS"));
            alice.send("A5 FETCH 1 (FLAGS INTERNALDATE)");
            assertEquals(List.of("* 1 FETCH (FLAGS (\\Flagged $Work) INTERNALDATE \"01-Feb-2026 10:00:00 +0000\")",
                    "A5 OK Completed"), alice.answer("A5"));
            alice.send("A6 UID MOVE 1 INBOX");
            List<String> moved = alice.answer("A6");
            assertTrue(moved.get(0).matches("\\* OK \\[COPYUID \\d+ 1 2] .*"), moved.toString());
            assertEquals("* 1 EXPUNGE", moved.get(1));
            assertEquals("A6 OK Completed", moved.get(2));
            alice.send("A7 STATUS INBOX (MESSAGES)");
            assertEquals("* STATUS INBOX (MESSAGES 2)", alice.answer("A7").get(0));
            alice.send("A8 STATUS shared.team (MESSAGES)");
            assertEquals("* STATUS shared.team (MESSAGES 0)", alice.answer("A8").get(0));
        }
    }

    @Test
    @Order(4)
    void lsubAndListSubscribedShowSubscriptionsToMailboxesOnTheOtherBackend() throws Exception {
        try (LineClient alice = imap("frontend2", "alice")) {
            alice.send("S1 SUBSCRIBE shared.team");
            assertEquals(List.of("S1 OK Completed"), alice.answer("S1"));
            alice.send("S2 LSUB \"\" \"*\"");
            assertEquals(List.of("* LSUB () \".\" shared.team", "S2 OK Completed"), alice.answer("S2"));
            alice.send("S3 LIST (SUBSCRIBED) \"\" \"*\""); // kept on her INBOX's backend, not this frontend
            assertEquals(List.of("* LIST (\\HasNoChildren \\Subscribed) \".\" shared.team", "S3 OK Completed"), alice.answer("S3"));
            alice.send("S4 LIST \"\" \"*\" RETURN (SUBSCRIBED)");
            assertEquals(List.of("* LIST (\\HasNoChildren) \".\" INBOX", "* LIST (\\HasNoChildren \\Subscribed) \".\" shared.team",
                    "S4 OK Completed"), alice.answer("S4"));
        }
    }

    @Test
    @Order(5)
    void aMailboxCreatedOnOneFrontendIsSelectableOnTheOtherAtOnce() throws Exception {
        try (LineClient one = imap("frontend1", "alice"); LineClient two = imap("frontend2", "alice")) {
            one.send("C1 CREATE INBOX.fresh");
            assertEquals(List.of("C1 OK Completed"), one.answer("C1"));
            two.send("C2 SELECT INBOX.fresh");
            List<String> selected = two.answer("C2");
            assertTrue(selected.contains("* 0 EXISTS"), selected.toString());
            assertEquals("C2 OK [READ-WRITE] Completed", selected.get(selected.size() - 1));
        }
    }

    private static List<String> deliver(String frontend, List<String> recipients, int replies) throws IOException {
        try (LineClient l = new LineClient(TestServer.HOST, port(frontend, "lmtp"))) {
            l.timeout(30_000);
            l.readUntil("220 ");
            l.send("LHLO it.example");
            l.readUntil("250 ");
            l.send("MAIL FROM:<sender@example.org>");
            assertEquals("250 2.1.0 Ok", l.read());
            List<String> out = new java.util.ArrayList<>();
            for (String to : recipients) {
                l.send("RCPT TO:<" + to + ">");
                out.add(l.read());
            }
            l.send("DATA");
            out.add(l.read().substring(0, 3));
            l.sendRaw("Subject: fan-out\r\n\r\nto several backends\r\n.\r\n");
            for (int i = 0; i < replies; i++) {
                out.add(l.read());
            }
            return out;
        }
    }

    @Test
    @Order(6)
    void lmtpFansOutToEachBackendOnceWithOneReplyPerRecipient() throws Exception {
        assertEquals(List.of("250 2.1.5 Ok", "250 2.1.5 Ok", "550 5.1.1 Mailbox unknown", "354",
                        "250 2.1.5 Ok", "250 2.1.5 Ok"),
                deliver("frontend2", List.of("alice@example.org", "bob@example.org", "nobody@example.org"), 2));
        assertEquals(List.of("Subject: fan-out"), LineClient.inboxSubjects(port("frontend1", "imap"), "bob"));
    }

    @Test
    @Order(7)
    void aKilledBackendGivesTemporaryErrorsAndServesAgainAfterItsRestart() throws Exception {
        new ProcessBuilder("kill", "-9", NODES.get(bobBackend).get("pid")).start().waitFor();
        Thread.sleep(500);
        assertEquals(List.of("250 2.1.5 Ok", "250 2.1.5 Ok", "354", "250 2.1.5 Ok",
                        "451 4.4.3 Backend " + bobBackend + " unavailable, try again later"),
                deliver("frontend1", List.of("alice@example.org", "bob@example.org"), 2));
        try (LineClient alice = imap("frontend1", "alice")) {
            alice.send("K1 SELECT shared.team");
            assertEquals(List.of("K1 NO [UNAVAILABLE] Backend " + bobBackend + " unavailable, try again later"),
                    alice.answer("K1"));
            alice.send("K2 SELECT INBOX"); // her own backend serves on
            assertTrue(alice.answer("K2").contains("* 4 EXISTS"));
        }
        murder("up"); // starts what is not running: the killed backend
        readStatus();
        assertEquals(List.of("250 2.1.5 Ok", "354", "250 2.1.5 Ok"), deliver("frontend1", List.of("bob@example.org"), 1));
        assertEquals(List.of("Subject: fan-out", "Subject: fan-out"), LineClient.inboxSubjects(port("frontend2", "imap"), "bob"));
    }

    @Test
    @Order(8)
    void aClientThatTakesReferralsIsReferredToTheBackendForListChanges() throws Exception {
        String referral = "NO [REFERRAL imap://;AUTH=*@127.0.0.1:" + port(aliceBackend, "imap") + "/INBOX.gone1] Remote mailbox.";
        try (LineClient alice = imap("frontend1", "alice")) {
            alice.send("R1 CAPABILITY");
            assertTrue(alice.answer("R1").get(0).endsWith(" MAILBOX-REFERRALS"));
            alice.send("R2 CREATE INBOX.gone1");
            assertEquals(List.of("R2 OK Completed"), alice.answer("R2"));
            alice.send("R3 RLIST \"\" \"INBOX.gone1\"");
            assertEquals(List.of("* LIST (\\HasNoChildren) \".\" INBOX.gone1", "R3 OK Completed"), alice.answer("R3"));
            alice.send("R4 DELETE INBOX.gone1");
            assertEquals(List.of("R4 " + referral), alice.answer("R4"));
        }
        try (LineClient direct = LineClient.imap(port(aliceBackend, "imap"), "alice")) { // where the referral points
            direct.send("D1 DELETE INBOX.gone1");
            assertEquals(List.of("D1 OK Completed"), direct.answer("D1"));
        }
        try (LineClient alice = imap("frontend1", "alice")) { // a client that never said it takes referrals
            alice.send("R5 CREATE INBOX.gone2");
            assertEquals(List.of("R5 OK Completed"), alice.answer("R5"));
            alice.send("R6 DELETE INBOX.gone2");
            assertEquals(List.of("R6 OK Completed"), alice.answer("R6"));
            alice.send("R7 LIST (REMOTE) \"\" \"%\""); // says it does now
            alice.answer("R7");
            alice.send("R8 CREATE INBOX.gone1");
            assertEquals(List.of("R8 OK Completed"), alice.answer("R8"));
            alice.send("R9 DELETE INBOX.gone1");
            assertEquals(List.of("R9 " + referral), alice.answer("R9"));
        }
        try (LineClient alice = imap("frontend2", "alice")) { // corvid.referrals=false there
            alice.send("F1 CAPABILITY");
            assertTrue(!alice.answer("F1").get(0).contains("MAILBOX-REFERRALS"));
            List<String> listed = List.of("* LIST (\\HasNoChildren) \".\" INBOX.gone1", "F2 OK Completed");
            assertEquals(listed, eventually(alice, "F2", "RLIST \"\" \"INBOX.gone1\"", listed));
            alice.send("F3 DELETE INBOX.gone1");
            assertEquals(List.of("F3 OK Completed"), alice.answer("F3"));
        }
    }

    @Test
    @Order(9)
    void specialUseAndListStatusOfMailboxesOnBackendsComeFromThoseBackends() throws Exception {
        try (LineClient alice = imap("frontend1", "alice")) {
            alice.send("U1 CREATE INBOX.Sent (USE (\\Sent))");
            assertEquals(List.of("U1 OK Completed"), alice.answer("U1"));
        }
        try (LineClient alice = imap("frontend2", "alice")) {
            List<String> sent = List.of("* LIST (\\HasNoChildren \\Sent) \".\" INBOX.Sent", "U2 OK Completed");
            assertEquals(sent, eventually(alice, "U2", "LIST (SPECIAL-USE) \"\" \"*\"", sent));
            alice.send("U3 LIST \"\" \"INBOX.S%\" RETURN (SPECIAL-USE STATUS (MESSAGES UIDNEXT))");
            assertEquals(List.of("* LIST (\\HasNoChildren \\Sent) \".\" INBOX.Sent", "* STATUS INBOX.Sent (MESSAGES 0 UIDNEXT 1)",
                    "U3 OK Completed"), alice.answer("U3"));
        }
    }

    /** The other backend. */
    private static String other(String backend) {
        return backend.equals("backend1") ? "backend2" : "backend1";
    }

    /** An admin's REST call on {@code node}: [status, body]. */
    private static String[] rest(String node, String method, String path, String json) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port(node, "http") + path))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString("admin:admin".getBytes()))
                .timeout(java.time.Duration.ofMinutes(3));
        b = json == null ? b.method(method, java.net.http.HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, java.net.http.HttpRequest.BodyPublishers.ofString(json));
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(b.build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return new String[] {String.valueOf(r.statusCode()), r.body()};
    }

    /** The master's entry kind for {@code mailbox}: MAILBOX (active) or RESERVE. */
    private static String entryKind(String mailbox) throws IOException {
        try (LineClient m = LineClient.mupdate(port("master", "mupdate"), "frontend", "frontend")) {
            m.send("F1 FIND \"" + mailbox + "\"");
            return m.answer("F1").get(0).split(" ")[1];
        }
    }

    /** Delivers "Subject: during n" to bob through frontend1, one transaction each, until stopped; the replies. */
    private static final class Deliveries extends Thread {
        final List<String> replies = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        volatile boolean stop;
        volatile Exception failure;

        @Override
        public void run() {
            try (LineClient l = new LineClient(TestServer.HOST, port("frontend1", "lmtp"))) {
                l.timeout(90_000);
                l.readUntil("220 ");
                l.send("LHLO it.example");
                l.readUntil("250 ");
                for (int n = 0; !stop; n++) {
                    l.send("MAIL FROM:<sender@example.org>");
                    l.read();
                    l.send("RCPT TO:<bob@example.org>");
                    String rcpt = l.read();
                    if (!rcpt.startsWith("250")) {
                        replies.add(rcpt);
                        l.send("RSET");
                        l.read();
                        continue;
                    }
                    l.send("DATA");
                    l.read();
                    l.sendRaw("Subject: during " + n + "\r\n\r\nsent while bob moves\r\n.\r\n");
                    replies.add(l.read());
                }
            } catch (Exception e) {
                failure = e;
            }
        }
    }

    @Test
    @Order(10)
    void anAdminMovesAUserLiveAndNothingIsLostDuplicatedOrChanged() throws Exception {
        String from = serverOf("user.bob");
        String to = other(from);
        List<String> before;
        String status;
        try (LineClient bob = imap("frontend1", "bob")) {
            bob.send("V1 CREATE INBOX.Projects");
            assertEquals(List.of("V1 OK Completed"), bob.answer("V1"));
            bob.send("V2 APPEND INBOX.Projects (\\Flagged $Work) \"01-Jan-2026 10:00:00 +0100\" {28+}");
            bob.sendRaw("Subject: plans\r\n\r\nthe plan\r\n\r\n");
            assertTrue(bob.answer("V2").get(0).startsWith("V2 OK [APPENDUID "));
            bob.send("V3 SELECT INBOX");
            bob.answer("V3");
            bob.send("V4 STORE 1 +FLAGS (\\Answered $Label1)");
            bob.answer("V4");
            bob.send("V5 UID FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE)");
            before = bob.answer("V5");
            bob.send("V6 STATUS INBOX.Projects (MESSAGES UIDNEXT UIDVALIDITY)");
            status = bob.answer("V6").get(0);
        }
        Deliveries load = new Deliveries();
        load.start();
        Thread.sleep(500);
        List<String> answer;
        try (LineClient admin = imap("frontend2", "admin")) {
            admin.timeout(120_000);
            admin.send("M1 RENAME user.bob user.bob " + to);
            answer = admin.answer("M1");
        }
        Thread.sleep(500);
        load.stop = true;
        load.join(60_000);
        assertEquals(null, load.failure);
        assertEquals("M1 OK Completed: user.bob is now on " + to, answer.get(answer.size() - 1), answer.toString());
        assertTrue(load.replies.size() > 5, "deliveries during the move: " + load.replies.size());
        assertEquals(List.of(), load.replies.stream().filter(r -> !r.equals("250 2.1.5 Ok")).toList(), "no delivery refused");
        assertEquals(to, serverOf("user.bob"));
        assertEquals(to, serverOf("user.bob.Projects"));
        try (LineClient bob = imap("frontend1", "bob")) {
            bob.send("W1 STATUS INBOX.Projects (MESSAGES UIDNEXT UIDVALIDITY)");
            assertEquals(List.of(status.replace("V6", "W1"), "W1 OK Completed"), bob.answer("W1"));
            bob.send("W2 SELECT INBOX");
            bob.answer("W2");
            String lastUid = before.get(before.size() - 2).replaceAll(".*\\(UID (\\d+) .*", "$1");
            bob.send("W3 UID FETCH 1:" + lastUid + " (FLAGS INTERNALDATE RFC822.SIZE)");
            List<String> after = bob.answer("W3");
            assertEquals(before.subList(0, before.size() - 1), after.subList(0, before.size() - 1),
                    "UIDs, flags, dates and sizes as before the move");
            bob.send("W4 SEARCH SUBJECT \"during \"");
            String found = bob.answer("W4").get(0);
            assertEquals(load.replies.size(), found.split(" ").length - 2, "each delivery once: " + found);
        }
        try (LineClient admin = LineClient.imap(port(from, "imap"), "admin")) {
            admin.send("X1 LIST \"\" \"user.bob*\"");
            assertEquals(List.of("X1 OK Completed"), admin.answer("X1"), "nothing of bob left on " + from);
        }
        bobBackend = to;
    }

    @Test
    @Order(11)
    void refusedMovesAndAMoveToADeadBackendLeaveTheMailboxWhereItWas() throws Exception {
        String at = serverOf("user.bob");
        String dead = other(at);
        try (LineClient bob = imap("frontend1", "bob")) {
            bob.send("N1 RENAME user.bob user.bob " + dead);
            assertEquals(List.of("N1 NO [NOPERM] Only administrators move mailboxes between servers"), bob.answer("N1"));
        }
        try (LineClient admin = imap("frontend1", "admin")) {
            admin.send("N2 RENAME user.bob.Projects user.bob.Projects " + dead);
            assertEquals(List.of("N2 NO [CANNOT] A user's folder moves with its user: move user.bob"), admin.answer("N2"));
            admin.send("N3 RENAME user.bob user.bob " + at);
            assertEquals(List.of("N3 NO [CANNOT] The mailbox is on " + at + " already"), admin.answer("N3"));
            admin.send("N4 RENAME user.bob user.robert " + dead);
            assertEquals(List.of("N4 NO [CANNOT] A move keeps the name: RENAME name name server[!partition]"), admin.answer("N4"));
        }
        String[] unknown = rest("frontend2", "POST", "/api/moves", "{\"mailbox\":\"user.bob\",\"server\":\"nowhere\"}");
        assertEquals("409", unknown[0], unknown[1]);
        assertTrue(unknown[1].contains("Unknown server nowhere"), unknown[1]);

        new ProcessBuilder("kill", "-9", NODES.get(dead).get("pid")).start().waitFor();
        Thread.sleep(500);
        String[] failed = rest("frontend2", "POST", "/api/moves?wait=60", "{\"mailbox\":\"user.bob\",\"server\":\"" + dead + "\"}");
        assertEquals("202", failed[0], failed[1]);
        assertTrue(failed[1].contains("\"state\":\"ROLLING_BACK\""), failed[1]);
        assertEquals(at, serverOf("user.bob"));
        assertEquals("MAILBOX", entryKind("user.bob"), "active again at the source, not RESERVED");
        assertEquals(List.of("250 2.1.5 Ok", "354", "250 2.1.5 Ok"), deliver("frontend1", List.of("bob@example.org"), 1));
        String id = failed[1].replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        murder("up"); // the dead backend again: the source cleans what the move left there
        readStatus();
        String state = "";
        for (int i = 0; i < 100 && !state.contains("\"FAILED\""); i++) {
            Thread.sleep(200);
            state = rest("frontend1", "GET", "/api/moves/" + id, null)[1];
        }
        assertTrue(state.contains("\"state\":\"FAILED\""), state);
        try (LineClient admin = LineClient.imap(port(dead, "imap"), "admin")) {
            admin.send("Y1 LIST \"\" \"user.bob*\"");
            assertEquals(List.of("Y1 OK Completed"), admin.answer("Y1"), "nothing of the failed move left on " + dead);
        }
        // and through REST, to the backend that is back
        String[] moved = rest("frontend1", "POST", "/api/moves?wait=120", "{\"mailbox\":\"user.bob\",\"server\":\"" + dead + "\"}");
        assertTrue(moved[1].contains("\"state\":\"SWITCHED\"") || moved[1].contains("\"state\":\"DONE\""), moved[1]);
        assertEquals(dead, serverOf("user.bob"));
        String list = rest("frontend2", "GET", "/api/moves", null)[1];
        assertTrue(list.contains("\"error\":\"copy failed: "), list);
        bobBackend = dead;
    }

    /** {@code bin/corvid-admin} against frontend2's REST API: [exit status, stdout, stderr]. */
    private static String[] cli(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", Path.of("../bin/corvid-admin").toAbsolutePath().toString(),
                "--url", "http://127.0.0.1:" + port("frontend2", "http"), "--user", "admin:admin"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "corvid-admin did not finish");
        return new String[] {String.valueOf(p.exitValue()), out, err};
    }

    @Test
    @Order(12)
    void theCliMovesAUserWithAProgressBarAndListsTheMoves() throws Exception {
        String at = serverOf("user.bob");
        String[] same = cli("move", "user.bob", at);
        assertEquals("1", same[0]);
        assertEquals("corvid-admin: HTTP 409 Move refused: The mailbox is on " + at + " already\n", same[2]);
        String[] moved = cli("move", "user.bob", other(at) + "!default");
        assertEquals("0", moved[0], moved[2]);
        assertTrue(moved[1].startsWith("user.bob is now on " + other(at) + " (final phase "), moved[1]);
        assertTrue(moved[2].contains("] 100%") || moved[2].contains("switched"), moved[2]);
        assertEquals(other(at), serverOf("user.bob"));
        String[] list = cli("moves");
        assertEquals("0", list[0], list[2]);
        assertTrue(list[1].lines().anyMatch(l -> l.contains("\tuser.bob\t" + at + "->" + other(at) + "\tDONE\t100%")), list[1]);
        assertTrue(list[1].lines().anyMatch(l -> l.contains("\tFAILED\t")), "the failed move is in the history: " + list[1]);
    }

    /** Debian's Chromium and chromedriver, or null when they are not installed. */
    private static java.io.File[] chromium() {
        java.io.File browser = new java.io.File("/usr/bin/chromium");
        java.io.File driver = new java.io.File("/usr/bin/chromedriver");
        return browser.canExecute() && driver.canExecute() ? new java.io.File[] {browser, driver} : null;
    }

    @Test
    @Order(13)
    void theConsoleFindsAUserMovesItAndFollowsTheProgressBarToTheEnd() throws Exception {
        java.io.File[] chromium = chromium();
        org.junit.jupiter.api.Assumptions.assumeTrue(chromium != null,
                "Chromium is not installed (apt install chromium chromium-driver): the console's browser test is skipped");
        String at = serverOf("user.bob");
        String to = other(at);
        org.openqa.selenium.chrome.ChromeOptions options = new org.openqa.selenium.chrome.ChromeOptions();
        options.setBinary(chromium[0]);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        org.openqa.selenium.chrome.ChromeDriverService service = new org.openqa.selenium.chrome.ChromeDriverService.Builder()
                .usingDriverExecutable(chromium[1]).usingAnyFreePort().build();
        org.openqa.selenium.WebDriver browser = new org.openqa.selenium.chrome.ChromeDriver(service, options);
        org.openqa.selenium.support.ui.WebDriverWait wait =
                new org.openqa.selenium.support.ui.WebDriverWait(browser, java.time.Duration.ofSeconds(120));
        String console = "http://127.0.0.1:" + port("frontend1", "http") + "/admin/";
        try {
            browser.get(console); // the form login first
            wait.until(d -> d.findElements(org.openqa.selenium.By.id("j_username")).size() == 1);
            browser.findElement(org.openqa.selenium.By.id("j_username")).sendKeys("admin");
            browser.findElement(org.openqa.selenium.By.id("j_password")).sendKeys("admin");
            browser.findElement(org.openqa.selenium.By.id("login-button")).click();
            wait.until(d -> d.getTitle().contains("Topology"));
            String servers = browser.findElement(org.openqa.selenium.By.id("servers")).getText();
            assertTrue(servers.contains("backend1") && servers.contains("backend2"), servers);

            browser.findElement(org.openqa.selenium.By.id("nav-mailboxes")).click();
            wait.until(d -> d.getTitle().contains("Mailboxes"));
            org.openqa.selenium.WebElement prefix = browser.findElement(org.openqa.selenium.By.id("search:prefix"));
            prefix.clear();
            prefix.sendKeys("user.bob");
            browser.findElement(org.openqa.selenium.By.id("search:find")).click();
            wait.until(d -> d.findElement(org.openqa.selenium.By.id("search:results")).getText().contains("user.bob.Projects"));
            browser.findElement(org.openqa.selenium.By.linkText("user.bob")).click();
            wait.until(d -> d.findElements(org.openqa.selenium.By.id("details-location")).size() == 1);
            assertEquals(at + "!default", browser.findElement(org.openqa.selenium.By.id("details-location")).getText());

            browser.findElement(org.openqa.selenium.By.id("move-this")).click(); // the wizard, mailbox filled in
            wait.until(d -> d.getTitle().contains("Moves"));
            assertEquals("user.bob", browser.findElement(org.openqa.selenium.By.id("wizard:mailbox")).getAttribute("value"));
            new org.openqa.selenium.support.ui.Select(browser.findElement(org.openqa.selenium.By.id("wizard:server")))
                    .selectByVisibleText(to);
            browser.findElement(org.openqa.selenium.By.id("wizard:review")).click();
            wait.until(d -> d.findElements(org.openqa.selenium.By.id("wizard:confirm")).size() == 1);
            browser.findElement(org.openqa.selenium.By.id("wizard:confirm")).click();
            wait.until(d -> d.findElements(org.openqa.selenium.By.id("move-progress")).size() == 1);
            wait.until(d -> "DONE".equals(d.findElement(org.openqa.selenium.By.id("move-state")).getText()));
            assertEquals("100", browser.findElement(org.openqa.selenium.By.id("move-progress")).getAttribute("value"));
            java.nio.file.Path shot = Path.of("target/console-move.png");
            java.nio.file.Files.write(shot, ((org.openqa.selenium.TakesScreenshot) browser)
                    .getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
            assertEquals(to, serverOf("user.bob"), "the master has the new location");

            browser.get(console + "moves.xhtml");
            String history = browser.findElement(org.openqa.selenium.By.id("history")).getText();
            assertTrue(history.contains("user.bob " + at + " → " + to + " DONE"), history);

            browser.findElement(org.openqa.selenium.By.id("nav-mupdate")).click();
            wait.until(d -> d.getTitle().contains("MUPDATE"));
            assertEquals("slave", browser.findElement(org.openqa.selenium.By.id("mupdate-mode")).getText());
        } finally {
            browser.quit();
        }
        bobBackend = to;
    }

    @Test
    @Order(14)
    void drainEmptiesABackendOneUserAtATime() throws Exception {
        String at = serverOf("user.bob");
        String[] plan = cli("drain", at, "--dry-run");
        assertEquals("0", plan[0], plan[2]);
        assertTrue(plan[1].contains("user.bob\t" + at + "->" + other(at)), plan[1]);
        assertTrue(plan[1].lines().noneMatch(l -> l.startsWith("user.bob.")), "folders move with their user: " + plan[1]);
        String[] drained = cli("drain", at);
        assertEquals("0", drained[0], drained[1] + drained[2]);
        assertTrue(drained[1].contains("user.bob\tmoved to " + other(at)), drained[1]);
        assertEquals(other(at), serverOf("user.bob"));
        assertEquals(other(at), serverOf("user.bob.Projects"));
        String servers = "";
        for (int i = 0; i < 50 && !servers.contains("\"name\":\"" + at + "\",\"self\":false,\"mailboxes\":0"); i++) {
            Thread.sleep(100);
            servers = rest("frontend2", "GET", "/api/servers", null)[1];
        }
        assertTrue(servers.contains("\"name\":\"" + at + "\",\"self\":false,\"mailboxes\":0"), servers);
        bobBackend = other(at);
    }

    /** Polls the move {@code id} until it has copied a first message (up to 6 s) and asserts it is copying. */
    private static void awaitCopying(String id) throws Exception {
        String copying = "";
        for (int i = 0; i < 300 && !copying.matches(".*\"messagesCopied\":[1-9].*"); i++) {
            Thread.sleep(20);
            copying = rest("frontend1", "GET", "/api/moves/" + id, null)[1];
        }
        assertTrue(copying.contains("\"state\":\"COPYING\""), copying);
    }

    /** Polls the move {@code id} (REST on frontend1) until its state is one of {@code states}; its JSON. */
    private static String awaitMove(String id, java.time.Duration max, String... states) throws Exception {
        String job = "";
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            job = rest("frontend1", "GET", "/api/moves/" + id, null)[1];
            for (String state : states) {
                if (job.contains("\"state\":\"" + state + "\"")) {
                    return job;
                }
            }
            Thread.sleep(100);
        }
        return job;
    }

    private static long messages(String user, String mailbox) throws Exception {
        try (LineClient c = imap("frontend2", user)) {
            c.send("S1 STATUS " + mailbox + " (MESSAGES)");
            String line = c.answer("S1").get(0);
            return Long.parseLong(line.replaceAll(".*MESSAGES (\\d+).*", "$1"));
        }
    }

    @Test
    @Order(15)
    void aSourceKilledDuringTheCopyResumesTheMoveAfterItsRestart() throws Exception {
        String at = serverOf("user.alice");
        try (LineClient l = new LineClient(TestServer.HOST, port(at, "lmtp"))) { // 3,000 messages, straight to her backend
            l.timeout(60_000);
            l.readUntil("220 ");
            l.send("LHLO it.example");
            l.readUntil("250 ");
            l.send("AUTH PLAIN " + java.util.Base64.getEncoder().encodeToString("\0murder\0murder".getBytes(StandardCharsets.UTF_8)));
            assertTrue(l.read().startsWith("235"));
            String body = "Subject: bulk\r\n\r\n" + "a line of text to make the message longer\r\n".repeat(40) + ".\r\n";
            for (int i = 0; i < 3000; i++) {
                l.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
                l.read();
                l.read();
                l.read();
                l.sendRaw(body);
                assertEquals("250 2.1.5 Ok", l.read());
            }
        }
        long before = messages("alice", "INBOX");
        String[] started = rest("frontend1", "POST", "/api/moves", "{\"mailbox\":\"user.alice\",\"server\":\"" + other(at) + "\"}");
        assertEquals("202", started[0], started[1]);
        String id = started[1].replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        awaitCopying(id);
        new ProcessBuilder("kill", "-9", NODES.get(at).get("pid")).start().waitFor();
        murder("up"); // the source again: its runner resumes the move from what the destination holds
        readStatus();
        String done = awaitMove(id, java.time.Duration.ofSeconds(120), "DONE", "FAILED");
        assertTrue(done.contains("\"state\":\"DONE\""), done);
        assertEquals(other(at), serverOf("user.alice"));
        assertEquals(before, messages("alice", "INBOX"), "every message once at the destination");
        try (LineClient admin = LineClient.imap(port(at, "imap"), "admin")) {
            admin.send("Z1 LIST \"\" \"user.alice*\"");
            assertEquals(List.of("Z1 OK Completed"), admin.answer("Z1"), "nothing of alice left on " + at);
        }
        aliceBackend = other(at);
    }

    @Test
    @Order(16)
    void aMoveWhileTheMasterIsDownRollsBackAndNothingStaysReserved() throws Exception {
        String at = serverOf("user.bob");
        new ProcessBuilder("kill", "-9", NODES.get("master").get("pid")).start().waitFor();
        String[] failed = rest("frontend2", "POST", "/api/moves?wait=15", "{\"mailbox\":\"user.bob\",\"server\":\"" + other(at) + "\"}");
        assertEquals("202", failed[0], failed[1]);
        assertTrue(failed[1].contains("\"state\":\"ROLLING_BACK\""), "back at the source once the master answers: " + failed[1]);
        assertTrue(failed[1].contains("MUPDATE master unavailable"), failed[1]);
        String id = failed[1].replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        try (LineClient bob = imap("frontend1", "bob")) { // reading goes on without the master
            bob.send("B1 SELECT INBOX");
            List<String> selected = bob.answer("B1");
            assertTrue(selected.get(selected.size() - 1).startsWith("B1 OK"), selected.toString());
        }
        murder("up"); // the master again
        readStatus();
        String state = awaitMove(id, java.time.Duration.ofSeconds(60), "FAILED", "DONE");
        assertTrue(state.contains("\"state\":\"FAILED\""), state);
        assertEquals(at, serverOf("user.bob"));
        assertEquals("MAILBOX", entryKind("user.bob"), "active at the source, nothing RESERVED");
        assertEquals("MAILBOX", entryKind("user.bob.Projects"));
        try (LineClient admin = LineClient.imap(port(other(at), "imap"), "admin")) {
            admin.send("Y1 LIST \"\" \"user.bob*\"");
            assertEquals(List.of("Y1 OK Completed"), admin.answer("Y1"), "nothing left at the destination");
        }
    }

    /** jboss-cli's ops script {@code script} against {@code node}'s management port. */
    private static void opsScript(String node, String script, String... properties) throws Exception {
        int offset = port(node, "imap") - 1143;
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("jboss.home"), "bin/jboss-cli.sh").toString(),
                "-c", "--controller=remote+http://127.0.0.1:" + (9990 + offset), "--resolve-parameter-values",
                "--file=" + Path.of("../wildfly-config/src/main/cli/ops", script).toAbsolutePath()));
        cmd.addAll(List.of(properties));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, script + ": " + out);
    }

    @Test
    @Order(17)
    void aDestinationWhoseDiskIsFullFailsTheMoveAndKeepsNothing() throws Exception {
        String at = serverOf("user.alice");
        String to = other(at);
        Path tiny = DIR.resolveSibling("tiny-partition");
        java.nio.file.Files.createDirectories(tiny);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0,
                "cannot mount a 1 MiB tmpfs here (not root?): the disk-full move test is skipped");
        try {
            opsScript(to, "add-partition.cli", "-Dpartition=tiny", "-Dpath=" + tiny);
            String[] moved = rest("frontend1", "POST", "/api/moves?wait=60",
                    "{\"mailbox\":\"user.alice\",\"server\":\"" + to + "!tiny\"}"); // 3,000 messages, > 1 MiB
            String id = moved[1].replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
            String job = awaitMove(id, java.time.Duration.ofSeconds(60), "FAILED", "DONE");
            assertTrue(job.contains("\"state\":\"FAILED\""), job);
            assertTrue(job.contains("cannot write to the spool of partition tiny"), job);
            assertEquals(at, serverOf("user.alice"));
            assertEquals("MAILBOX", entryKind("user.alice"), "active at the source, nothing RESERVED");
            try (java.util.stream.Stream<Path> left = java.nio.file.Files.walk(tiny)) {
                assertEquals(List.of(), left.filter(java.nio.file.Files::isRegularFile).toList(), "no file left on the full disk");
            }
            try (LineClient admin = LineClient.imap(port(to, "imap"), "admin")) {
                admin.send("T1 LIST \"\" \"user.alice*\"");
                assertEquals(List.of("T1 OK Completed"), admin.answer("T1"), "nothing of alice on " + to);
            }
            assertTrue(messages("alice", "INBOX") >= 3000, "her mail is where it was");
        } finally {
            opsScript(to, "remove-partition.cli", "-Dpartition=tiny");
            new ProcessBuilder("umount", tiny.toString()).start().waitFor();
        }
    }

    @Test
    @Order(18)
    void aCancelledMoveRollsBack() throws Exception {
        String at = serverOf("user.alice"); // 3,000 messages: the copy takes a few seconds
        String[] started = rest("frontend2", "POST", "/api/moves", "{\"mailbox\":\"user.alice\",\"server\":\"" + other(at) + "\"}");
        assertEquals("202", started[0], started[1]);
        String id = started[1].replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        String[] cancelled = rest("frontend1", "DELETE", "/api/moves/" + id, null);
        assertEquals("202", cancelled[0], cancelled[1]);
        String job = awaitMove(id, java.time.Duration.ofSeconds(60), "FAILED", "DONE");
        assertTrue(job.contains("\"state\":\"FAILED\"") && job.contains("cancelled"), job);
        assertEquals(at, serverOf("user.alice"));
        assertEquals("MAILBOX", entryKind("user.alice"));
        try (LineClient admin = LineClient.imap(port(other(at), "imap"), "admin")) {
            admin.send("C1 LIST \"\" \"user.alice*\"");
            assertEquals(List.of("C1 OK Completed"), admin.answer("C1"), "nothing of alice on " + other(at));
        }
        String[] again = rest("frontend1", "DELETE", "/api/moves/" + id, null);
        assertEquals("409", again[0], "a finished move cannot be cancelled: " + again[1]);
    }

    @Test
    @Order(19)
    void aDestinationKilledDuringTheCopyLeavesTheMailboxAtTheSourceAndIsCleanedWhenBack() throws Exception {
        String at = serverOf("user.alice"); // 3,000 messages: the copy takes a few seconds
        String to = other(at);
        long before = messages("alice", "INBOX");
        String[] started = rest("frontend1", "POST", "/api/moves", "{\"mailbox\":\"user.alice\",\"server\":\"" + to + "\"}");
        assertEquals("202", started[0], started[1]);
        String id = started[1].replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        awaitCopying(id);
        new ProcessBuilder("kill", "-9", NODES.get(to).get("pid")).start().waitFor();
        String failing = awaitMove(id, java.time.Duration.ofSeconds(60), "ROLLING_BACK", "FAILED", "DONE");
        assertTrue(failing.contains("\"state\":\"ROLLING_BACK\""), "waits for the destination to clean it: " + failing);
        assertEquals(at, serverOf("user.alice"));
        assertEquals("MAILBOX", entryKind("user.alice"), "active at the source, not RESERVED");
        assertEquals(before, messages("alice", "INBOX"), "alice reads her mail at the source meanwhile");
        assertEquals(List.of("250 2.1.5 Ok", "354", "250 2.1.5 Ok"), deliver("frontend2", List.of("alice@example.org"), 1));
        murder("up"); // the destination again: the source drops what the move left there
        readStatus();
        String failed = awaitMove(id, java.time.Duration.ofSeconds(60), "FAILED", "DONE");
        assertTrue(failed.contains("\"state\":\"FAILED\""), failed);
        try (LineClient admin = LineClient.imap(port(to, "imap"), "admin")) {
            admin.send("K1 LIST \"\" \"user.alice*\"");
            assertEquals(List.of("K1 OK Completed"), admin.answer("K1"), "nothing of alice left on " + to);
        }
        assertEquals(before + 1, messages("alice", "INBOX"));
    }
}
