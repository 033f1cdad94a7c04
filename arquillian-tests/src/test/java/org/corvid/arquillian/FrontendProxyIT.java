package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The frontend's LMTP and POP3 proxies: a node with the role {@code frontend} only ({@code ExtraServer}, offset 9350),
 * MUPDATE slave of the test server, which is the backend holding the users. Recipients are routed by the
 * mailbox list: delivered on the backend with one reply each, {@code 550} only for a user the master does not
 * know, {@code 451 4.2.1} for a RESERVED mailbox, {@code 451 4.4.3} for one on a backend that does not answer,
 * and a user created on the master a moment before is found (the NOOP barrier). A POP3 session on the frontend
 * is the same maildrop as on the backend, command for command.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FrontendProxyIT {
    private static final int OFFSET = 9350;
    private static ExtraServer frontend;
    private static ExtraServer backend2;
    private static String backend;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    @BeforeAll
    static void startFrontend() throws Exception {
        backend = Http.json(Http.get(TestServer.HTTP, "/api/health", null)).getString("node");
        LineClient.imap("alice").close(); // INBOXes on the test server
        LineClient.imap("bob").close();
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("F1 ACTIVATE \"user.fghost\" \"deadbe!default\" \"\"");
            assertEquals("F1 OK \"done\"", w.read());
            w.send("F2 RESERVE \"user.fbusy\" \"movingbe!default\""); // elsewhere: the test server's resync would drop its own
            assertEquals("F2 OK \"done\"", w.read());
        }
        backend2 = ExtraServer.start("be2", OFFSET + 30, Map.of("CORVID_ROLES", "backend", "CORVID_SERVER_NAME", "be2",
                "CORVID_MUPDATE_MASTER", TestServer.HOST + ":" + TestServer.MUPDATE));
        frontend = ExtraServer.start("frontend1", OFFSET, Map.of("CORVID_ROLES", "frontend",
                // a RESERVED mailbox (fbusy, below) is held for 2 s before its temporary error, not a move's 60 s
                "JAVA_OPTS", "-Xmx512m -Djava.net.preferIPv4Stack=true -Dcorvid.lmtp.move-hold-seconds=2 -Dcorvid.imap.move-hold-seconds=2",
                "CORVID_MUPDATE_MASTER", TestServer.HOST + ":" + TestServer.MUPDATE,
                "CORVID_MUPDATE_USER", "frontend", "CORVID_MUPDATE_PASSWORD", "frontend",
                // the test server's ports are shifted; deadbe listens nowhere
                "CORVID_BACKENDS", backend + "=" + TestServer.HOST + ":" + TestServer.IMAP + ":" + TestServer.LMTP + ":" + TestServer.POP3
                        + ":" + TestServer.HTTP + ",deadbe=127.0.0.1:1:1:1:1,be2=" + TestServer.HOST + ":" + backend2.port(1143) + ":"
                        + backend2.port(2424) + ":" + backend2.port(1110) + ":" + backend2.port(8080)));
    }

    @AfterAll
    static void stopFrontend() throws Exception {
        if (frontend != null) {
            frontend.close();
        }
        if (backend2 != null) {
            backend2.close();
        }
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("D1 DELETE \"user.fghost\"");
            w.read();
            w.send("D2 DELETE \"user.fbusy\"");
            w.read();
        }
    }

    /** As admin through the frontend: creates {@code name} (with {@code where}, if given) and lets alice have {@code rights}. */
    private static void createShared(String name, String where, String rights) throws Exception {
        try (LineClient admin = LineClient.imap(frontend.port(1143), "admin")) {
            admin.send("C1 CREATE " + name + (where == null ? "" : " " + where));
            assertEquals("C1 OK Completed", admin.readUntil("C1 "));
            admin.send("C2 SETACL " + name + " alice " + rights);
            assertEquals("C2 OK Completed", admin.readUntil("C2 "));
        }
    }

    /** As admin through the frontend: deletes {@code name}; returns the completion. */
    private static String deleteShared(String name) throws Exception {
        try (LineClient admin = LineClient.imap(frontend.port(1143), "admin")) {
            admin.send("D1 DELETE " + name);
            return admin.readUntil("D1 ");
        }
    }

    private static LineClient lmtp() throws Exception {
        LineClient l = new LineClient(TestServer.HOST, frontend.port(2424));
        l.timeout(30_000);
        l.readUntil("220 ");
        l.send("LHLO it.example");
        l.readUntil("250 ");
        return l;
    }

    @Test
    void recipientsAreRoutedByTheMailboxListWithOneReplyEach() throws Exception {
        String subject = "via frontend " + System.nanoTime();
        try (LineClient l = lmtp()) {
            l.send("MAIL FROM:<sender@example.org>");
            assertEquals("250 2.1.0 Ok", l.read());
            List<String> rcpt = new java.util.ArrayList<>();
            for (String to : List.of("alice@example.org", "bob+nothing@example.org", "nosuchuser@example.org",
                    "fghost@example.org", "fbusy@example.org")) {
                l.send("RCPT TO:<" + to + ">");
                rcpt.add(l.read());
            }
            assertEquals(List.of("250 2.1.5 Ok", "250 2.1.5 Ok", "550 5.1.1 Mailbox unknown", "250 2.1.5 Ok",
                    "451 4.2.1 Mailbox is being created or moved, try again later"), rcpt);
            l.send("DATA");
            assertTrue(l.read().startsWith("354"));
            l.sendRaw("Subject: " + subject + "\r\nFrom: sender@example.org\r\n\r\n..leading dot\r\nbody\r\n.\r\n"); // stuffed, as a client must
            assertEquals(List.of("250 2.1.5 Ok", "250 2.1.5 Ok", "451 4.4.3 Backend deadbe unavailable, try again later"),
                    List.of(l.read(), l.read(), l.read()), "alice, bob, and the one on a backend that does not answer");

            // a second transaction on the same session reuses the pooled backend connection
            l.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
            assertTrue(l.read().startsWith("354"));
            l.sendRaw("Subject: " + subject + " again\r\n\r\nsecond\r\n.\r\n");
            assertEquals("250 2.1.5 Ok", l.read());
        }
        assertTrue(LineClient.inboxSubjects(TestServer.IMAP, "alice").containsAll(List.of("Subject: " + subject, "Subject: " + subject + " again")));
        assertTrue(LineClient.inboxSubjects(TestServer.IMAP, "bob").contains("Subject: " + subject));
        try (LineClient c = LineClient.imap("bob")) {
            c.send("S1 EXAMINE INBOX");
            c.readUntil("S1 OK");
            c.send("F1 FETCH * BODY.PEEK[TEXT]");
            List<String> text = c.answer("F1");
            assertTrue(String.join("\n", text).contains("\n.leading dot\nbody"), "dot-stuffing undone once: " + text);
        }
    }

    @Test
    void aUserCreatedAMomentAgoOnTheMasterIsFound() throws Exception {
        String user = "fresh" + System.nanoTime() % 1_000_000;
        try (LineClient admin = LineClient.imap("admin")) {
            admin.send("C2 CREATE user." + user);
            assertEquals("C2 OK Completed", admin.readUntil("C2 "));
        }
        try (LineClient l = lmtp()) { // no wait: the barrier catches the frontend up with the master
            l.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<" + user + "@example.org>");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
        }
    }

    /** The POP3 transcript of {@code commands} (multi-line answers whole) after logging in as alice. */
    private static List<String> pop3(int port, List<String> commands) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (LineClient p = new LineClient(TestServer.HOST, port)) {
            assertTrue(p.read().startsWith("+OK"));
            p.send("USER alice");
            assertTrue(p.read().startsWith("+OK"));
            p.send("PASS alice");
            out.add(p.read());
            for (String command : commands) {
                p.send(command);
                String status = p.read();
                out.add(status);
                boolean multi = status.startsWith("+OK") && (command.equals("LIST") || command.equals("UIDL")
                        || command.startsWith("RETR") || command.startsWith("TOP"));
                for (String line; multi && !(line = p.read()).equals("."); ) {
                    out.add(line);
                }
            }
        }
        return out;
    }

    @Test
    void aPop3SessionOnTheFrontendIsTheBackendsMaildrop() throws Exception {
        try (LineClient l = lmtp()) { // at least one message
            l.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
            l.read();
            l.read();
            l.read();
            l.sendRaw("Subject: for pop3\r\n\r\n..dot line\r\n.\r\n");
            assertEquals("250 2.1.5 Ok", l.read());
        }
        List<String> commands = List.of("STAT", "LIST", "UIDL", "UIDL 1", "TOP 1 0", "RETR 1", "DELE 1", "STAT", "RSET", "NOOP", "QUIT");
        List<String> direct = pop3(TestServer.POP3, commands);
        List<String> proxied = pop3(frontend.port(1110), commands);
        assertTrue(proxied.get(0).matches("\\+OK Maildrop ready, \\d+ messages"), proxied.get(0));
        assertEquals(direct, proxied, "the same maildrop, command for command");
        assertTrue(proxied.stream().anyMatch(l -> l.matches("\\+OK \\d+ octets")), "RETR relayed: " + proxied);
        assertEquals("+OK bye", proxied.get(proxied.size() - 1));
    }

    /** Each command's answer (untagged lines and completion) in one IMAP session of alice on {@code port}. */
    private static List<List<String>> imapSession(int port, List<String> commands) throws Exception {
        List<List<String>> answers = new java.util.ArrayList<>();
        try (LineClient c = LineClient.imap(port, "alice")) {
            int n = 0;
            for (String command : commands) {
                String tag = "T" + (++n);
                c.send(tag + " " + command);
                answers.add(c.answer(tag));
            }
        }
        return answers;
    }

    @Test
    void anImapSessionOnTheFrontendReachesTheBackendsMailboxes() throws Exception {
        List<String> reading = List.of("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)", "EXAMINE INBOX",
                "FETCH 1:* (FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])", "UID SEARCH ALL", "MYRIGHTS INBOX",
                "GETACL INBOX", "CLOSE");
        List<List<String>> direct = imapSession(TestServer.IMAP, reading);
        List<List<String>> proxied = imapSession(frontend.port(1143), reading);
        assertEquals(direct, proxied, "the same answers through the frontend");
        assertTrue(proxied.get(1).get(proxied.get(1).size() - 1).startsWith("T2 OK [READ-ONLY]"), proxied.get(1).toString());

        String subject = "appended through the frontend " + System.nanoTime();
        String message = "Subject: " + subject + "\r\n\r\nhello\r\n";
        try (LineClient c = LineClient.imap(frontend.port(1143), "alice")) {
            c.send("A1 APPEND INBOX (\\Flagged) {" + message.length() + "+}\r\n" + message);
            assertTrue(c.readUntil("A1 ").startsWith("A1 OK [APPENDUID "), "APPENDUID from the backend");
            c.send("A2 SELECT INBOX");
            assertTrue(c.readUntil("A2 ").startsWith("A2 OK [READ-WRITE]"));
            c.send("A3 UID SEARCH SUBJECT \"" + subject + "\"");
            List<String> found = c.answer("A3");
            assertTrue(found.get(0).matches("\\* SEARCH \\d+"), found.toString());
            String uid = found.get(0).substring("* SEARCH ".length());
            c.send("A4 UID STORE " + uid + " +FLAGS (\\Seen)");
            assertTrue(String.join(" ", c.answer("A4")).contains("\\Seen"));
            c.send("A5 UID FETCH " + uid + " (FLAGS BODY.PEEK[TEXT])");
            List<String> fetched = c.answer("A5");
            assertTrue(fetched.get(0).contains("\\Flagged") && fetched.contains("hello"), fetched.toString());
            c.send("A6 IDLE");
            assertEquals("+ idling", c.read());
            try (LineClient l = new LineClient(TestServer.HOST, TestServer.LMTP)) { // a delivery on the backend meanwhile
                l.readUntil("220 ");
                l.send("LHLO it\r\nMAIL FROM:<x@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
                l.readUntil("354");
                l.sendRaw("Subject: while idling\r\n\r\nhi\r\n.\r\n");
                assertEquals("250 2.1.5 Ok", l.read());
            }
            String pushed = c.read();
            for (int i = 0; i < 10 && pushed.contains(" FETCH "); i++) {
                pushed = c.read(); // flag changes reported first
            }
            assertTrue(pushed.matches("\\* \\d+ EXISTS"), "pushed by the backend through the frontend: " + pushed);
            c.send("DONE");
            assertEquals("A6 OK IDLE terminated", c.readUntil("A6 "));
            c.send("A7 UNSELECT");
            assertEquals("A7 OK Completed", c.readUntil("A7 "));
            c.send("A8 FETCH 1 FLAGS");
            assertTrue(c.readUntil("A8 ").startsWith("A8 BAD"), "no mailbox selected any more");
            c.send("A9 SELECT INBOX.nosuchfolder");
            assertTrue(c.readUntil("A9 ").startsWith("A9 NO"), "unknown: answered by the frontend");
        }
    }

    @Test
    void listOnTheFrontendShowsTheBackendsMailboxesFromTheMailboxList() throws Exception {
        try (LineClient c = LineClient.imap("alice")) {
            c.send("C1 CREATE INBOX.listed.deeper");
            c.readUntil("C1 ");
        }
        List<String> direct = imapSession(TestServer.IMAP, List.of("LIST \"\" \"*\"")).get(0);
        List<String> proxied = imapSession(frontend.port(1143), List.of("LIST \"\" \"*\"")).get(0);
        assertTrue(proxied.contains("* LIST (\\HasChildren) \".\" INBOX"), proxied.toString());
        assertTrue(proxied.contains("* LIST (\\HasNoChildren) \".\" INBOX.listed.deeper"), proxied.toString());
        assertTrue(proxied.containsAll(direct), "every mailbox the backend lists: " + direct + " in " + proxied);
        assertTrue(proxied.stream().noneMatch(l -> l.contains("fghost")), "no lookup right on user.fghost");
        List<String> percent = imapSession(frontend.port(1143), List.of("LIST \"\" \"INBOX.%\"")).get(0);
        assertTrue(percent.contains("* LIST (\\Noselect \\HasChildren) \".\" INBOX.listed"), "a level, no mailbox: " + percent);
        try (LineClient c = LineClient.imap("alice")) {
            c.send("D1 DELETE INBOX.listed.deeper");
            c.readUntil("D1 ");
            c.send("D2 DELETE INBOX.listed");
            c.readUntil("D2 ");
        }
    }

    /** What jconsole.sh does: WildFly's JMX remoting on the frontend's management port, local authentication. */
    private static JMXConnector jmx() throws Exception {
        return JMXConnectorFactory.connect(new JMXServiceURL("service:jmx:remote+http://" + TestServer.HOST + ":" + frontend.port(9990)));
    }

    @Test
    void theProxyTrafficIsVisibleOverJmxRemotingAndOnTheMetricsEndpoint() throws Exception {
        ObjectName imap = new ObjectName("org.corvid:type=Traffic,protocol=imap,role=frontend");
        try (JMXConnector jmx = jmx()) {
            MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
            assertFalse(mbeans.isRegistered(new ObjectName("org.corvid:type=Traffic,protocol=imap,role=backend")),
                    "a frontend-only node has no backend traffic");
            long proxied = (Long) mbeans.getAttribute(imap, "ProxiedCommands");
            long commands = (Long) mbeans.getAttribute(imap, "Commands");
            try (LineClient c = LineClient.imap(frontend.port(1143), "alice")) {
                c.send("S1 SELECT INBOX");
                assertTrue(c.readUntil("S1 ").startsWith("S1 OK"));
                c.send("S2 NOOP");
                assertEquals("S2 OK Completed", c.readUntil("S2 "));
                assertTrue((Integer) mbeans.getAttribute(imap, "BackendConnectionsInUse") >= 1, "alice's session holds one");
                assertTrue((Integer) mbeans.getAttribute(imap, "ClientConnections") >= 1);
                c.send("S3 LOGOUT");
                assertEquals("S3 OK Completed", c.readUntil("S3 "));
            }
            assertTrue((Long) mbeans.getAttribute(imap, "ProxiedCommands") >= proxied + 2, "SELECT and NOOP were relayed");
            assertTrue((Long) mbeans.getAttribute(imap, "Commands") >= commands + 3, "LOGIN, SELECT, NOOP");
            assertTrue((Double) mbeans.getAttribute(imap, "LatencyP99Millis") > 0);
            String[] backends = (String[]) mbeans.getAttribute(imap, "Backends");
            assertTrue(List.of(backends).stream().anyMatch(b -> b.startsWith(backend + ": in use ")), List.of(backends).toString());
        }
        HttpResponse<String> metrics = Http.get(frontend.port(8080), "/api/metrics", "admin");
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String line = metrics.body().lines().filter(l -> l.startsWith("corvid_traffic_proxied_commands{protocol=\"imap\",role=\"frontend\"} "))
                .findFirst().orElseThrow(() -> new AssertionError(metrics.body()));
        assertTrue(Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)) >= 2, line);
        assertTrue(metrics.body().contains("# TYPE corvid_traffic_latency_p99_millis gauge\n"), metrics.body());
        assertEquals(401, Http.get(frontend.port(8080), "/api/metrics", null).statusCode(), "anonymous");
    }

    @Test
    void aLoggedOutSessionsBackendConnectionServesTheNextSessionAsItsOwnUser() throws Exception {
        ObjectName pool = new ObjectName("org.corvid:type=BackendPool,protocol=imap");
        try (JMXConnector jmx = jmx()) {
            MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
            try (LineClient alice = LineClient.imap(frontend.port(1143), "alice")) {
                alice.send("A1 GETACL INBOX");
                assertTrue(alice.readUntil("A1 ").startsWith("A1 OK"));
                alice.send("A2 LOGOUT");
                assertEquals("A2 OK Completed", alice.readUntil("A2 "));
            }
            for (int i = 0; i < 50 && (Integer) mbeans.getAttribute(pool, "Idle") == 0; i++) {
                Thread.sleep(100); // released (UNAUTHENTICATE) after the client had its answer
            }
            assertTrue((Integer) mbeans.getAttribute(pool, "Idle") >= 1, "back in the pool");
            long created = (Long) mbeans.getAttribute(pool, "Created");
            long lent = (Long) mbeans.getAttribute(pool, "Lent");
            try (LineClient bob = LineClient.imap(frontend.port(1143), "bob")) {
                bob.send("B1 GETACL INBOX");
                List<String> acl = new java.util.ArrayList<>();
                for (String line = bob.read(); !line.startsWith("B1 "); line = bob.read()) {
                    acl.add(line);
                }
                assertTrue(acl.size() == 1 && acl.get(0).startsWith("* ACL INBOX bob lrswipkxtecda"), "bob's own INBOX: " + acl);
            }
            assertEquals(created, (Long) mbeans.getAttribute(pool, "Created"), "no new connection to the backend");
            assertEquals(lent + 1, (Long) mbeans.getAttribute(pool, "Lent"));
        }
    }

    @Test
    void mostFreeSpacePlacementCreatesOnTheBackendWithTheMostRoomItKnowsOf() throws Exception {
        // be2's HTTP port is wrong here: its room is unknown, so the test server is the one with known room,
        // although be2 holds fewer mailboxes (where fewest-mailboxes would put it)
        try (ExtraServer roomy = ExtraServer.start("frontend3", OFFSET + 40, Map.of("CORVID_ROLES", "frontend",
                "JAVA_OPTS", "-Xmx512m -Djava.net.preferIPv4Stack=true -Dcorvid.placement=most-free-space",
                "CORVID_MUPDATE_MASTER", TestServer.HOST + ":" + TestServer.MUPDATE,
                "CORVID_MUPDATE_USER", "frontend", "CORVID_MUPDATE_PASSWORD", "frontend",
                "CORVID_BACKENDS", backend + "=" + TestServer.HOST + ":" + TestServer.IMAP + ":" + TestServer.LMTP + ":"
                        + TestServer.POP3 + ":" + TestServer.HTTP + ",be2=" + TestServer.HOST + ":" + backend2.port(1143) + ":"
                        + backend2.port(2424) + ":" + backend2.port(1110) + ":1"))) {
            JsonObject room = Http.json(Http.get(TestServer.HTTP, "/api/internal/partitions", "frontend"));
            assertEquals("default", room.getString("default"), room.toString());
            assertTrue(room.getJsonArray("partitions").getJsonObject(0).getJsonNumber("freeBytes").longValue() > 0, room.toString());
            String name = "roomy" + System.nanoTime() % 100_000;
            try (LineClient admin = LineClient.imap(roomy.port(1143), "admin")) {
                admin.send("R1 CREATE " + name);
                assertEquals("R1 OK Completed", admin.readUntil("R1 "));
            }
            assertEquals(backend, Http.json(Http.get(TestServer.HTTP, "/api/mailboxes/" + name, "admin")).getString("server"));
            assertEquals("D1 OK Completed", deleteShared(name));
        }
    }

    @Test
    void aMailboxsDetailsAreAskedOfItsBackend() throws Exception {
        JsonObject alice = Http.json(Http.get(frontend.port(8080), "/api/mailboxes/user.alice", "admin"));
        assertEquals(backend, alice.getString("server"));
        assertTrue(alice.get("detailsError") == null, alice.toString());
        assertEquals(backend, alice.getJsonObject("details").getString("server"), alice.toString());
        assertTrue(alice.getJsonObject("details").getJsonNumber("uidNext").longValue() >= 1, alice.toString());
        JsonObject ghost = Http.json(Http.get(frontend.port(8080), "/api/mailboxes/user.fghost", "admin"));
        assertTrue(ghost.isNull("details"), ghost.toString());
        assertTrue(ghost.getString("detailsError").startsWith("Backend deadbe unavailable"), ghost.toString());
    }

    @Test
    void aFrontendWhoseMasterNeverAnsweredRefusesLoginsAndNeverSaysUnknown() throws Exception {
        try (ExtraServer cold = ExtraServer.start("frontend2", OFFSET + 20, Map.of("CORVID_ROLES", "frontend",
                "CORVID_MUPDATE_MASTER", "127.0.0.1:1", "CORVID_MUPDATE_USER", "frontend", "CORVID_MUPDATE_PASSWORD", "frontend"))) {
            try (LineClient c = new LineClient(TestServer.HOST, cold.port(1143))) {
                c.read();
                c.send("L1 LOGIN alice alice");
                assertEquals("L1 NO [UNAVAILABLE] Not yet synchronized with the mailbox list, try again shortly", c.readUntil("L1 "));
            }
            try (LineClient p = new LineClient(TestServer.HOST, cold.port(1110))) {
                p.read();
                p.send("USER alice");
                p.read();
                p.send("PASS alice");
                assertEquals("-ERR [SYS/TEMP] Not yet synchronized with the mailbox list, try again shortly", p.read());
            }
            try (LineClient l = new LineClient(TestServer.HOST, cold.port(2424))) {
                l.readUntil("220 ");
                l.send("LHLO it\r\nMAIL FROM:<x@example.org>\r\nRCPT TO:<nosuchuser@example.org>");
                l.readUntil("250 ");
                assertEquals(List.of("250 2.1.0 Ok", "451 4.4.3 Mailbox list unavailable, try again later"),
                        List.of(l.read(), l.read()), "a cold cache never answers 550");
            }
        }
    }

    @Test
    void createRenameAndDeleteThroughTheFrontendHappenOnTheBackendAndShowAtOnce() throws Exception {
        String name = "INBOX.fe" + System.nanoTime() % 1_000_000;
        List<List<String>> answers = imapSession(frontend.port(1143), List.of("CREATE " + name, "LIST \"\" " + name,
                "RENAME " + name + " " + name + " otherbackend", "RENAME " + name + " " + name + "x", "LIST \"\" " + name + "*", "DELETE " + name + "x", "LIST \"\" " + name + "*"));
        assertEquals(List.of("T1 OK Completed"), answers.get(0));
        assertEquals(List.of("* LIST (\\HasNoChildren) \".\" " + name, "T2 OK Completed"), answers.get(1), "listed at once");
        assertEquals(List.of("T3 NO [NOPERM] Only administrators move mailboxes between servers"), answers.get(2));
        assertEquals(List.of("T4 OK Completed"), answers.get(3));
        assertEquals(List.of("* LIST (\\HasNoChildren) \".\" " + name + "x", "T5 OK Completed"), answers.get(4));
        assertEquals(List.of("T6 OK Completed"), answers.get(5));
        assertEquals(List.of("T7 OK Completed"), answers.get(6));
        assertEquals(1, imapSession(TestServer.IMAP, List.of("LIST \"\" " + name + "*")).get(0).size(), "gone on the backend");
    }

    @Test
    void pythonImaplibWorksThroughTheFrontend() throws Exception {
        String script = String.join("\n",
                "import imaplib, sys",
                "m = imaplib.IMAP4(sys.argv[1], int(sys.argv[2]))",
                "m.login('alice', 'alice')",
                "typ, data = m.append('INBOX', '(\\\\Flagged)', None, b'Subject: from imaplib\\r\\n\\r\\nvia the frontend\\r\\n')",
                "print('append', typ, data[0].decode())",
                "typ, data = m.select('INBOX')",
                "print('select', typ)",
                "typ, data = m.uid('SEARCH', 'SUBJECT', '\"from imaplib\"')",
                "uid = data[0].split()[-1].decode()",
                "typ, data = m.uid('FETCH', uid, '(FLAGS BODY.PEEK[TEXT])')",
                "print('fetch', typ, data[0][0].decode(), data[0][1].decode().strip())",
                "typ, data = m.list()",
                "print('list', typ, any(b'INBOX' in d for d in data))",
                "m.close()",
                "print('logout', m.logout()[0])");
        String out = Python.run("imaplib through the frontend", script, TestServer.HOST, String.valueOf(frontend.port(1143)));
        assertTrue(out.contains("append OK [APPENDUID "), out);
        assertTrue(out.contains("select OK"), out);
        assertTrue(out.matches("(?s).*fetch OK \\d+ \\(UID \\d+ FLAGS \\(\\\\Flagged\\) BODY\\[TEXT\\] \\{18\\} via the frontend.*"), out);
        assertTrue(out.contains("list OK True"), out);
        assertTrue(out.contains("logout BYE"), out);
    }

    @Test
    void copyAndMoveBetweenBackendsKeepFlagsAndDates() throws Exception {
        String shared = "shared.across" + System.nanoTime() % 1_000_000;
        createShared(shared, null, "lrswipkxtecda"); // a new top-level name: placed on the backend with the fewest mailboxes
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("F1 FIND \"" + shared + "\"");
            assertTrue(w.readUntil("F1 ").startsWith("F1 MAILBOX {"), "at the master");
            assertTrue(w.read().startsWith(shared + " {") && w.read().startsWith("be2!"), "on be2");
            w.readUntil("F1 OK");
        }
        String message = "Subject: across backends\r\n\r\nmoved twice\r\n";
        try (LineClient c = LineClient.imap(frontend.port(1143), "alice")) {
            c.send("A1 APPEND INBOX (\\Flagged $Work) \"01-Feb-2020 10:00:00 +0000\" {" + message.length() + "+}\r\n" + message);
            String appended = c.readUntil("A1 ");
            assertTrue(appended.startsWith("A1 OK [APPENDUID "), appended);
            String uid = appended.split(" ")[4].replace("]", "");
            c.send("A2 SELECT INBOX");
            c.readUntil("A2 OK");
            c.send("A3 UID COPY " + uid + " " + shared);
            String copied = c.readUntil("A3 ");
            assertTrue(copied.matches("A3 OK \\[COPYUID \\d+ " + uid + " \\d+\\] Completed"), copied);
            c.send("A4 SELECT " + shared);
            c.readUntil("A4 OK");
            c.send("A5 FETCH 1 (FLAGS INTERNALDATE BODY.PEEK[TEXT])");
            List<String> there = c.answer("A5");
            assertTrue(there.get(0).contains("FLAGS (\\Flagged $Work)") && there.get(0).contains("\"01-Feb-2020 10:00:00 +0000\"")
                    && there.contains("moved twice"), "flags, keywords and date kept on be2: " + there);
            c.send("A6 MOVE 1 INBOX");
            List<String> moved = c.answer("A6");
            assertTrue(moved.get(0).matches("\\* OK \\[COPYUID \\d+ 1 \\d+\\] Copied"), moved.toString());
            assertTrue(moved.contains("* 1 EXPUNGE"), "expunged at the source only after the copy: " + moved);
            assertEquals("A6 OK Completed", moved.get(moved.size() - 1));
            c.send("A7 STATUS " + shared + " (MESSAGES)");
            assertTrue(c.readUntil("* STATUS").endsWith("(MESSAGES 0)"));
        }
        deleteShared(shared);
    }

    /** 150 clients idling on a proxied INBOX: one relay thread for all of them, each sees a delivery, each DONE ends it. */
    @Test
    void proxiedIdleTakesNoThreadPerClient() throws Exception {
        List<LineClient> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 150; i++) {
                LineClient c = LineClient.imap(frontend.port(1143), "bob");
                c.send("I1 SELECT INBOX");
                c.readUntil("I1 OK");
                clients.add(c);
            }
            int before = frontend.threads();
            for (LineClient c : clients) {
                c.send("I2 IDLE");
                assertEquals("+ idling", c.read());
            }
            int idling = frontend.threads();
            assertTrue(idling - before < 20, "threads before IDLE " + before + ", with 150 idling " + idling);
            try (LineClient l = new LineClient(TestServer.HOST, TestServer.LMTP)) {
                l.readUntil("220 ");
                l.send("LHLO it\r\nMAIL FROM:<x@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA");
                l.readUntil("354");
                l.sendRaw("Subject: to 150 idlers\r\n\r\nhi\r\n.\r\n");
                assertEquals("250 2.1.5 Ok", l.read());
            }
            for (LineClient c : clients) {
                assertTrue(c.readUntil("* ").matches("\\* \\d+ EXISTS"), "pushed to every idling client");
            }
            for (LineClient c : clients) {
                c.send("DONE");
                assertEquals("I2 OK IDLE terminated", c.readUntil("I2 "));
                c.send("I3 NOOP"); // the backend connection works as before
                assertTrue(c.readUntil("I3 ").startsWith("I3 OK"));
            }
        } finally {
            for (LineClient c : clients) {
                c.close();
            }
        }
    }

    /** The test server's management CLI: one command. */
    private static void cli(String command) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("jboss.home"), "bin/jboss-cli.sh").toString(), "-c",
                "--controller=remote+http://" + TestServer.HOST + ":" + (9990 + TestServer.OFFSET), "--command=" + command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, command + ": " + out);
    }

    /**
     * A node that is frontend and backend at once (the test server) with a user's INBOX here and a shared
     * mailbox on be2: COPY/MOVE from the local selection to be2, and from the selection on be2 back here.
     */
    @Test
    void onAUnifiedNodeCopyAndMoveGoBetweenItsOwnMailboxesAndAnotherBackend() throws Exception {
        String shared = "shared.unified" + System.nanoTime() % 1_000_000;
        createShared(shared, "be2", "lrswipkxtecda");
        cli("/system-property=corvid.backends:write-attribute(name=value, value=\"be2=" + TestServer.HOST + ":"
                + backend2.port(1143) + ":" + backend2.port(2424) + ":" + backend2.port(1110) + "\")");
        String message = "Subject: unified\r\n\r\nfrom here to be2\r\n";
        try (LineClient c = LineClient.imap(TestServer.IMAP, "alice")) {
            c.send("U1 APPEND INBOX (\\Flagged $Unified) \"02-Feb-2020 11:00:00 +0000\" {" + message.length() + "+}\r\n" + message);
            String appended = c.readUntil("U1 ");
            String uid = appended.split(" ")[4].replace("]", "");
            c.send("U2 SELECT INBOX");
            c.readUntil("U2 OK");
            c.send("U3 UID COPY " + uid + " " + shared);
            String copied = c.readUntil("U3 ");
            assertTrue(copied.matches("U3 OK \\[COPYUID \\d+ " + uid + " 1\\] Completed"), copied);
            c.send("U4 UID MOVE " + uid + " " + shared);
            List<String> moved = c.answer("U4");
            assertTrue(moved.get(0).matches("\\* OK \\[COPYUID \\d+ " + uid + " 2\\] Moved"), moved.toString());
            assertTrue(moved.get(1).matches("\\* \\d+ EXPUNGE"), moved.toString());
            assertEquals("U4 OK Completed", moved.get(2));
            c.send("U5 SELECT " + shared); // proxied to be2
            c.readUntil("U5 OK");
            c.send("U6 FETCH 1:* (FLAGS INTERNALDATE)");
            List<String> there = c.answer("U6");
            assertEquals(3, there.size(), there.toString());
            assertTrue(there.get(1).contains("FLAGS (\\Flagged $Unified)") && there.get(1).contains("\"02-Feb-2020 11:00:00 +0000\""),
                    "flags, keywords and date kept on be2: " + there);
            c.send("U7 UID MOVE 2 INBOX"); // from the selection on be2 to this node
            List<String> back = c.answer("U7");
            assertTrue(back.get(0).matches("\\* OK \\[COPYUID \\d+ 2 \\d+\\] Copied"), back.toString());
            assertTrue(back.contains("* 2 EXPUNGE"), back.toString());
            assertEquals("U7 OK Completed", back.get(back.size() - 1));
            c.send("U8 STATUS " + shared + " (MESSAGES)");
            assertTrue(c.readUntil("* STATUS").endsWith("(MESSAGES 1)"));
            c.send("U9 EXAMINE INBOX");
            c.readUntil("U9 OK");
            c.send("U10 UID SEARCH HEADER Subject unified KEYWORD $Unified");
            List<String> found = c.answer("U10");
            assertTrue(found.get(0).matches("\\* SEARCH \\d+"), "moved back, with its keyword: " + found);
        } finally {
            cli("/system-property=corvid.backends:write-attribute(name=value, value=\"${env.CORVID_BACKENDS:}\")");
            deleteShared(shared);
        }
    }

    @Test
    void subscriptionsLiveWithTheInboxAndCoverMailboxesOfOtherBackends() throws Exception {
        String shared = "shared.subs" + System.nanoTime() % 1_000_000;
        createShared(shared, null, "lr");
        List<List<String>> answers = imapSession(frontend.port(1143), List.of("SUBSCRIBE " + shared, "SUBSCRIBE INBOX",
                "LSUB \"\" *", "UNSUBSCRIBE " + shared, "UNSUBSCRIBE INBOX"));
        assertEquals(List.of("T1 OK Completed"), answers.get(0), "a mailbox of another backend may be subscribed");
        assertEquals(List.of("T2 OK Completed"), answers.get(1));
        assertTrue(answers.get(2).contains("* LSUB () \".\" " + shared), "not \\Noselect: it exists elsewhere: " + answers.get(2));
        assertTrue(answers.get(2).contains("* LSUB () \".\" INBOX"), answers.get(2).toString());
        assertEquals(List.of("T4 OK Completed"), answers.get(3));
        deleteShared(shared);
    }

    @Test
    void anAdministratorMayChooseTheBackendOfANewMailbox() throws Exception {
        String shared = "shared.explicit" + System.nanoTime() % 1_000_000;
        try (LineClient admin = LineClient.imap(frontend.port(1143), "admin")) {
            admin.send("C1 CREATE " + shared + " " + backend + "!default");
            assertEquals("C1 OK Completed", admin.readUntil("C1 "));
        }
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("F1 FIND \"" + shared + "\"");
            assertTrue(w.readUntil("F1 ").startsWith("F1 MAILBOX {"));
            w.read();
            assertTrue(w.read().startsWith(backend + "!default"), "on the server named, not by placement");
            w.readUntil("F1 OK");
        }
        List<List<String>> alice = imapSession(frontend.port(1143), List.of("CREATE INBOX.mine be2"));
        assertEquals(List.of("T1 NO [NOPERM] Only administrators may choose the server"), alice.get(0));
        assertEquals("D1 OK Completed", deleteShared(shared));
    }

    @Test
    void aBackendKilledUnderASessionGivesCleanErrorsAndIsReconnectedAfterItsRestart() throws Exception {
        String shared = "shared.restart" + System.nanoTime() % 1_000_000;
        createShared(shared, "be2!default", "lr");
        try (LineClient c = LineClient.imap(frontend.port(1143), "alice")) {
            c.send("S1 STATUS " + shared + " (MESSAGES)");
            assertEquals(List.of("* STATUS " + shared + " (MESSAGES 0)", "S1 OK Completed"), c.answer("S1"));
            backend2.kill();
            c.send("S2 STATUS " + shared + " (MESSAGES)");
            assertEquals(List.of("S2 NO [UNAVAILABLE] Backend be2 unavailable, try again later"), c.answer("S2"),
                    "a clean NO, no hang");
            c.send("S3 STATUS INBOX (MESSAGES)");
            assertTrue(c.answer("S3").get(1).equals("S3 OK Completed"), "the other backend still serves the session");
            try (LineClient l = lmtp()) {
                l.send("MAIL FROM:<x@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
                assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
                l.read();
                l.sendRaw("Subject: while be2 is down\r\n\r\nx\r\n.\r\n");
                assertEquals("250 2.1.5 Ok", l.read(), "delivery to the backend that is up goes on");
            }
            backend2.restart();
            c.send("S4 STATUS " + shared + " (MESSAGES)");
            assertEquals(List.of("* STATUS " + shared + " (MESSAGES 0)", "S4 OK Completed"), c.answer("S4"),
                    "a new connection to the restarted backend, in the same client session");
        }
        deleteShared(shared);
    }
}
