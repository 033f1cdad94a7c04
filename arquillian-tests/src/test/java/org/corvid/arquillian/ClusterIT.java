package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster of {@code bin/corvid-cluster}: three WildFly nodes (base offset 8000), each with the roles
 * mupdate,backend,frontend, sharing a PostgreSQL the script starts. A write through one node is seen by lookups
 * on another at once; MUPDATE clients of a node that is not master are relayed to the master; the master killed
 * with {@code kill -9} during a stream of CREATEs is replaced within 10 s, no acknowledged mailbox is lost and
 * every client gets an answer, while another node goes on serving LIST and proxying; the killed node rejoins as
 * a non-master with everything written meanwhile; the master frozen ({@code SIGSTOP}) for 60 s is replaced, and
 * the write it still had in hand when it resumed is refused by the lease's fencing. No Arquillian deployment.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final Path DIR = Path.of("target/cluster").toAbsolutePath();
    private static final Pattern STATUS = Pattern.compile("(node\\d) mupdate,backend,frontend imap=(\\d+) lmtp=(\\d+)"
            + " pop3=(\\d+) mupdate=(\\d+) http=(\\d+) pid=(\\d+|-) master=(yes|no)");
    private static final Map<String, Map<String, String>> NODES = new HashMap<>();
    private static List<String> status;

    private static String cluster(String... args) throws Exception {
        String expiry = "-Dcorvid.mupdate.reservation-expiry-seconds=20";
        return Scripts.run("corvid-cluster", Map.of("CORVID_CLUSTER_DIR", DIR.toString(), "CORVID_CLUSTER_OFFSET", "8000",
                "CORVID_CLUSTER_PG_PORT", "15532", "CORVID_CLUSTER_NODE1_OPTS", expiry, "CORVID_CLUSTER_NODE2_OPTS", expiry,
                "CORVID_CLUSTER_NODE3_OPTS", expiry), DIR.resolveSibling("cluster-" + args[0] + ".log"), args);
    }

    /** Waits (up to 10 s) until {@code node} reports it is not cut off: its lookups come from its replica. */
    private static void awaitInView(String node) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        String health;
        do {
            health = Http.get(port(node, "http"), "/api/health", null).body();
            if (health.contains("\"cutOff\":false")) {
                return;
            }
            Thread.sleep(100);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError(node + " still cut off: " + health);
    }

    /** Runs {@code sql} on the cluster's shared MUPDATE database, as the PostgreSQL superuser; its output. */
    private static String psql(String sql) throws Exception {
        Path bin;
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin/psql")).filter(Files::isExecutable).findFirst().orElseThrow();
        }
        Process p = new ProcessBuilder(bin.toString(), "-h", "127.0.0.1", "-p", "15532", "-U", "postgres", "-d",
                "corvid_mupdate", "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "psql: " + out);
        return out.trim();
    }

    private static void readStatus() throws Exception {
        status = cluster("status").lines().toList();
        for (String line : status) {
            Matcher m = STATUS.matcher(line);
            assertTrue(m.matches(), line);
            NODES.put(m.group(1), Map.of("imap", m.group(2), "mupdate", m.group(5), "http", m.group(6),
                    "pid", m.group(7), "master", m.group(8)));
        }
    }

    @BeforeAll
    static void up() throws Exception {
        boolean postgres = Files.isDirectory(Path.of("/usr/lib/postgresql"))
                && Files.list(Path.of("/usr/lib/postgresql")).anyMatch(v -> Files.isExecutable(v.resolve("bin/pg_ctl")));
        Assumptions.assumeTrue(postgres, "PostgreSQL server binaries not installed (apt-get install postgresql):"
                + " the cluster test is skipped");
        Files.createDirectories(DIR);
        cluster("down"); // a cluster a failed run left behind
        new ProcessBuilder("rm", "-rf", DIR.toString()).start().waitFor();
        Files.createDirectories(DIR);
        cluster("up", "3");
        readStatus();
    }

    @AfterAll
    static void down() throws Exception {
        if (Files.isDirectory(DIR)) {
            cluster("down");
        }
    }

    private static int port(String node, String protocol) {
        return Integer.parseInt(NODES.get(node).get(protocol));
    }

    private static String master() {
        return NODES.entrySet().stream().filter(e -> e.getValue().get("master").equals("yes")).map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError("no master: " + status));
    }

    private static List<String> others(String node) {
        return NODES.keySet().stream().filter(n -> !n.equals(node)).sorted().toList();
    }

    /** The answer of a non-LOGIN IMAP command, as one line per response. */
    private static List<String> imap(LineClient c, String tag, String command) throws IOException {
        c.send(tag + " " + command);
        return c.answer(tag);
    }

    private static String last(List<String> answer) {
        return answer.get(answer.size() - 1);
    }

    /** Waits (up to {@code seconds}) until one of {@code candidates} reports itself master; returns it. */
    private static String awaitMaster(List<String> candidates, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            for (String n : candidates) {
                try {
                    if (Http.get(port(n, "http"), "/api/health", null, java.time.Duration.ofSeconds(2)).body()
                            .contains("\"mode\":\"master\"")) {
                        return n;
                    }
                } catch (IOException e) {
                    // not answering (stopped, or frozen)
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("none of " + candidates + " became master within " + seconds + " s");
    }

    @Test
    @Order(1)
    void statusPrintsOneLinePerNodeAndExactlyOneMaster() {
        assertEquals(List.of("node1", "node2", "node3"), status.stream().map(l -> l.substring(0, l.indexOf(' '))).toList());
        assertEquals("node1 mupdate,backend,frontend imap=9143 lmtp=10424 pop3=9110 mupdate=11905 http=16080",
                status.get(0).substring(0, status.get(0).indexOf(" pid=")));
        assertEquals(1, status.stream().filter(l -> l.endsWith("master=yes")).count(), status.toString());
    }

    @Test
    @Order(2)
    void aWriteThroughOneNodeIsSeenByLookupsOnAnotherAtOnce() throws Exception {
        List<String> others = others(master());
        try (LineClient admin = LineClient.imap(port(others.get(0), "imap"), "admin")) {
            assertEquals("A1 OK Completed", last(imap(admin, "A1", "CREATE user.alice " + others.get(0))));
            assertEquals("A2 OK Completed", last(imap(admin, "A2", "CREATE user.alice.at-once")));
        }
        try (LineClient alice = LineClient.imap(port(others.get(1), "imap"), "alice")) {
            // at once on the third node: from its replica of the cache, no barrier, no retry
            assertEquals(List.of("* LIST (\\HasNoChildren) \".\" INBOX.at-once", "B1 OK Completed"),
                    imap(alice, "B1", "LIST \"\" INBOX.at-once"));
            assertTrue(last(imap(alice, "B2", "SELECT INBOX.at-once")).startsWith("B2 OK [READ-WRITE]"));
        }
        String body = Http.get(port(master(), "http"), "/api/mailboxes/user.alice.at-once", "admin").body();
        assertTrue(body.contains("\"server\":\"" + others(master()).get(0) + "\""), body);
        for (String n : NODES.keySet()) { // every node's own replica has it
            assertEquals(200, Http.get(port(n, "http"), "/api/mailboxes/user.alice.at-once?details=false", "admin").statusCode(), n);
        }
    }

    @Test
    @Order(3)
    void mupdateClientsOfAnotherNodeAreRelayedToTheMaster() throws Exception {
        String master = master();
        String other = others(master).get(0);
        try (LineClient m = new LineClient(port(other, "mupdate"))) {
            String banner = m.readUntil("* OK MUPDATE");
            assertTrue(banner.startsWith("* OK MUPDATE \"" + master + "\" \"Corvid\"") && banner.endsWith("\"(master)\""), banner);
        }
        try (LineClient m = LineClient.mupdate(port(other, "mupdate"), "frontend", "frontend")) {
            m.send("F1 FIND \"user.alice.at-once\"");
            List<String> found = m.answer("F1");
            assertEquals(5, found.size(), found.toString());
            assertTrue(found.get(0).startsWith("F1 MAILBOX "), found.toString());
            assertEquals("F1 OK \"Search completed\"", last(found));
        }
    }

    /** Cyrus's own MUPDATE client, SASL and all, through a node that relays it to the master. */
    @Test
    @Order(3)
    void cyrusMupdatetestThroughARelayingNode() throws Exception {
        java.io.File mupdatetest = new java.io.File("/usr/lib/cyrus/bin/mupdatetest");
        Assumptions.assumeTrue(mupdatetest.canExecute(),
                "Cyrus mupdatetest not installed (apt-get install cyrus-murder): skipping the relay interop check");
        String master = master();
        Process p = new ProcessBuilder(mupdatetest.getPath(), "-p", String.valueOf(port(others(master).get(1), "mupdate")),
                "-a", "frontend", "-w", "frontend", "-m", "PLAIN", "127.0.0.1").redirectErrorStream(true).start();
        p.getOutputStream().write("F1 FIND \"user.alice.at-once\"\r\nQ1 LOGOUT\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mupdatetest did not finish");
        }
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out.contains("S: * OK MUPDATE \"" + master + "\""), out);
        assertTrue(out.contains("Authenticated."), out);
        assertTrue(out.contains("F1 MAILBOX {18+}"), out);
        assertTrue(out.contains("F1 OK \"Search completed\""), out);
        assertTrue(out.contains("Q1 OK \"bye-bye\""), out);
    }

    /** CREATEs through one node, one after the other, each answered; what was acknowledged, and the longest wait. */
    private static final class Creates extends Thread {
        final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        final List<String> refused = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean stop = new AtomicBoolean();
        volatile long longestAnswerMillis;
        volatile long lastOkMillis;
        volatile Throwable failure;
        private final int port;
        private final String user;
        private final String prefix;

        Creates(int port, String user, String prefix) {
            this.port = port;
            this.user = user;
            this.prefix = prefix;
        }

        @Override
        public void run() {
            try (LineClient c = LineClient.imap(port, user)) {
                c.timeout(60_000);
                for (int i = 0; !stop.get(); i++) {
                    long start = System.currentTimeMillis();
                    String answer = last(imap(c, "C" + i, "CREATE INBOX." + prefix + i));
                    longestAnswerMillis = Math.max(longestAnswerMillis, System.currentTimeMillis() - start);
                    if (answer.equals("C" + i + " OK Completed")) {
                        acknowledged.add("INBOX." + prefix + i);
                        lastOkMillis = System.currentTimeMillis();
                    } else {
                        assertTrue(answer.startsWith("C" + i + " NO "), answer); // a clean refusal, never BAD
                        refused.add(answer);
                    }
                    Thread.sleep(50);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    private static void assertAllListed(String node, String user, List<String> names) throws Exception {
        assertAllListed(node, user, names, 0);
    }

    /** As above, allowing {@code seconds} for a node that was cut off to merge back into the cluster. */
    private static void assertAllListed(String node, String user, List<String> names, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        List<String> missing;
        do {
            try (LineClient c = LineClient.imap(port(node, "imap"), user)) {
                List<String> listed = imap(c, "L1", "LIST \"\" \"INBOX.*\"");
                missing = names.stream().filter(n -> !listed.contains("* LIST (\\HasNoChildren) \".\" " + n)).toList();
            }
            if (!missing.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(1000);
            }
        } while (!missing.isEmpty() && System.currentTimeMillis() < deadline);
        assertEquals(List.of(), missing, "missing on " + node);
    }

    @Test
    @Order(4)
    void theMasterKilledDuringCreatesIsReplacedWithin10sLosingNothingWhileAnotherNodeServes() throws Exception {
        String killed = master();
        String through = others(killed).get(1); // alice's INBOX is on others(killed).get(0)
        Creates creates = new Creates(port(through, "imap"), "alice", "k");
        AtomicBoolean serving = new AtomicBoolean(true);
        List<String> servingErrors = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> { // LIST and a proxied SELECT on the first survivor, all along
            try (LineClient alice = LineClient.imap(port(others(killed).get(0), "imap"), "alice")) {
                for (int i = 0; serving.get(); i++) {
                    String list = last(imap(alice, "R" + i, "LIST \"\" INBOX.at-once"));
                    String select = last(imap(alice, "S" + i, "EXAMINE INBOX.at-once"));
                    if (!list.startsWith("R" + i + " OK") || !select.startsWith("S" + i + " OK")) {
                        servingErrors.add(list + " / " + select);
                    }
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                servingErrors.add(e.toString());
            }
        });
        // a streaming MUPDATE client (a Cyrus frontend would be one) on a survivor, relayed to the master
        LineClient stream = LineClient.mupdate(port(through, "mupdate"), "frontend", "frontend");
        stream.send("U1 UPDATE");
        stream.readUntil("U1 OK \"streaming starts\"");
        // what a master that dies between a commit and its publication leaves behind: a row no replica has, and a
        // row changed that every replica has in its old state; stamped as that master would have (after the last
        // point it told the cluster it had published everything). The row count stays equal: catch-up alone must
        // mend both.
        String home = others(killed).get(0);
        try (LineClient alice = LineClient.imap(port(home, "imap"), "alice")) {
            assertEquals("G1 OK Completed", last(imap(alice, "G1", "CREATE INBOX.changed-unpublished")));
        }
        psql("INSERT INTO mailbox_location (id, name, location, server, partition_name, acl, state, unique_id, version,"
                + " last_change) VALUES (nextval('mailbox_location_seq'), 'user.alice.unpublished', '" + home
                + "!default', '" + home + "', 'default', E'alice\\tlrswipkxtecda\\t', 'ACTIVE', md5('unpublished'), 0,"
                + " now() + interval '1 hour');"
                + " UPDATE mailbox_location SET acl = E'alice\\tlrswipkxtecda\\tanyone\\tlr\\t',"
                + " last_change = now() + interval '1 hour' WHERE name = 'user.alice.changed-unpublished'");
        creates.start();
        reader.start();
        Thread.sleep(3000);
        int before = creates.acknowledged.size();
        long killedAt = System.currentTimeMillis();
        new ProcessBuilder("kill", "-9", NODES.get(killed).get("pid")).start().waitFor();
        String next = awaitMaster(others(killed), 10);
        long newMasterMillis = System.currentTimeMillis() - killedAt;
        for (String n : others(killed)) { // the new master brought every replica in line before its first write
            awaitInView(n); // (a node that is cut off answers from the database, whatever its replica holds)
            assertEquals(200, Http.get(port(n, "http"), "/api/mailboxes/user.alice.unpublished?details=false", "admin")
                    .statusCode(), "the unpublished row on " + n);
            String changed = Http.get(port(n, "http"), "/api/mailboxes/user.alice.changed-unpublished?details=false",
                    "admin").body();
            assertTrue(changed.contains("anyone"), "the unpublished change on " + n + ": " + changed);
        }
        long deadline = System.currentTimeMillis() + 15_000;
        while (creates.lastOkMillis < killedAt + newMasterMillis && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(2000);
        creates.stop.set(true);
        serving.set(false);
        creates.join(70_000);
        reader.join(10_000);
        System.out.printf("ClusterIT: %s killed; %s master after %d ms; CREATEs acknowledged %d (%d before the kill),"
                        + " refused %d, longest answer %d ms%n", killed, next, newMasterMillis, creates.acknowledged.size(),
                before, creates.refused.size(), creates.longestAnswerMillis);
        assertEquals(null, creates.failure, "every CREATE answered");
        assertTrue(newMasterMillis <= 10_000, "new master after " + newMasterMillis + " ms");
        assertTrue(creates.lastOkMillis > killedAt, "CREATEs succeed again after the failover");
        assertEquals(List.of(), servingErrors, "the other node kept serving LIST and proxying");
        assertAllListed(through, "alice", creates.acknowledged);
        // the stream ended with the old master; the client reconnects and resyncs with the new one
        stream.timeout(15_000);
        try (stream) {
            while (true) {
                stream.read();
            }
        } catch (java.net.SocketTimeoutException open) {
            throw new AssertionError("the UPDATE stream through " + through + " stayed open after the failover", open);
        } catch (IOException closed) {
            // closed (or reset) with the old master: what a client must see to reconnect
        }
        try (LineClient again = LineClient.mupdate(port(through, "mupdate"), "frontend", "frontend")) {
            again.send("U2 UPDATE");
            List<String> dump = again.answer("U2");
            String lastMade = "user.alice." + creates.acknowledged.get(creates.acknowledged.size() - 1).substring("INBOX.".length());
            assertTrue(dump.stream().anyMatch(l -> l.contains(lastMade)), lastMade + " in the new master's dump");
        }
        try (LineClient m = LineClient.mupdate(port(next, "mupdate"), "frontend", "frontend")) {
            for (String name : List.of(creates.acknowledged.get(0), creates.acknowledged.get(creates.acknowledged.size() - 1))) {
                m.send("F1 FIND \"user.alice." + name.substring("INBOX.".length()) + "\"");
                assertEquals(5, m.answer("F1").size(), name + " in the master's list");
            }
        }

        try (LineClient m = LineClient.mupdate(port(next, "mupdate"), "murder", "murder")) {
            m.send("D1 DELETE \"user.alice.unpublished\""); // it has no mailbox on the backend
            assertEquals(List.of("D1 OK \"done\""), m.answer("D1"));
        }

        // the killed node rejoins: not master, and it sees what was written while it was away
        cluster("start", killed);
        readStatus();
        assertEquals("no", NODES.get(killed).get("master"));
        assertEquals(next, master());
        assertAllListed(killed, "alice", creates.acknowledged);
    }

    @Test
    @Order(5)
    void aFrozenMasterIsReplacedAndItsLateWriteIsRefused() throws Exception {
        String frozen = master();
        String home = others(frozen).get(0);
        String through = others(frozen).get(1);
        try (LineClient admin = LineClient.imap(port(home, "imap"), "admin")) {
            assertEquals("A1 OK Completed", last(imap(admin, "A1", "CREATE user.bob " + home)));
        }
        HttpResponse<String> seen = Http.get(port(through, "http"), "/api/mailboxes/user.bob?details=false", "admin");
        assertEquals(200, seen.statusCode(), "user.bob in " + through + "'s replica at once: " + seen.body());
        // a removal the master committed and did not publish (the row count then differs: the new master
        // compares every row); of an entry no backend holds, which no backend's resync brings back
        try (LineClient m = LineClient.mupdate(port(frozen, "mupdate"), "murder", "murder")) {
            m.send("G1 ACTIVATE \"user.ghost\" \"ghost!default\" \"ghost\tlrswipkxtecda\t\"");
            assertEquals(List.of("G1 OK \"done\""), m.answer("G1"));
        }
        psql("DELETE FROM mailbox_location WHERE name = 'user.ghost'");
        Creates creates = new Creates(port(through, "imap"), "bob", "f");
        String next;
        try (LineClient stale = LineClient.mupdate(port(frozen, "mupdate"), "murder", "murder")) {
            creates.start();
            Thread.sleep(2000);
            long frozenAt = System.currentTimeMillis();
            new ProcessBuilder("kill", "-STOP", NODES.get(frozen).get("pid")).start().waitFor();
            try {
                // queued in the frozen node's socket: it reads this when it wakes up, still believing it is master
                stale.send("X1 RESERVE \"user.stale-write\" \"" + frozen + "!default\"");
                next = awaitMaster(others(frozen), 40);
                System.out.printf("ClusterIT: %s frozen; %s master after %d ms%n", frozen, next,
                        System.currentTimeMillis() - frozenAt);
                for (String n : others(frozen)) { // the new master mended every replica before its first write
                    awaitInView(n);
                    assertEquals(404, Http.get(port(n, "http"), "/api/mailboxes/user.ghost?details=false", "admin")
                            .statusCode(), "the unpublished removal on " + n);
                }
                Thread.sleep(Math.max(0, frozenAt + 60_000 - System.currentTimeMillis()));
            } finally {
                new ProcessBuilder("kill", "-CONT", NODES.get(frozen).get("pid")).start().waitFor();
            }
            stale.timeout(30_000);
            assertEquals("X1 NO \"not the MUPDATE master any more, reconnect\"", stale.readUntil("X1 "));
        }
        // cut off until the views merge, the resumed node looks mailboxes up in the database, not in its stale replica
        Thread.sleep(1000);
        assertFalse(creates.acknowledged.isEmpty(), "CREATEs acknowledged; refused: " + creates.refused + ", " + creates.failure);
        String madeWhileFrozen = creates.acknowledged.get(creates.acknowledged.size() - 1);
        try (LineClient bob = LineClient.imap(port(frozen, "imap"), "bob")) {
            assertTrue(last(imap(bob, "S1", "EXAMINE " + madeWhileFrozen)).startsWith("S1 OK"), madeWhileFrozen);
            assertTrue(imap(bob, "L1", "LIST \"\" " + madeWhileFrozen).contains("* LIST (\\HasNoChildren) \".\" "
                    + madeWhileFrozen), "LIST of " + madeWhileFrozen + " on the resumed node");
        }
        long merging = System.currentTimeMillis();
        while (!Http.get(port(frozen, "http"), "/api/health", null).body().contains("\"cutOff\":false")
                && System.currentTimeMillis() < merging + 90_000) {
            Thread.sleep(500);
        }
        System.out.printf("ClusterIT: %s merged back %d ms after it resumed%n", frozen, System.currentTimeMillis() - merging + 1000);
        Thread.sleep(3000);
        creates.stop.set(true);
        creates.join(70_000);
        System.out.printf("ClusterIT: CREATEs acknowledged %d, refused %d, longest answer %d ms%n",
                creates.acknowledged.size(), creates.refused.size(), creates.longestAnswerMillis);
        assertEquals(null, creates.failure, "every CREATE answered");
        readStatus();
        assertEquals("no", NODES.get(frozen).get("master"), "the resumed node is not master: " + status);
        assertEquals(next, master(), "the master stays where it is when the frozen node merges back: " + status);
        assertEquals(1, status.stream().filter(l -> l.endsWith("master=yes")).count(), status.toString());
        try (LineClient m = LineClient.mupdate(port(master(), "mupdate"), "frontend", "frontend")) {
            m.send("F1 FIND \"user.stale-write\"");
            assertEquals(List.of("F1 OK \"Search completed\""), m.answer("F1"), "the stale master's write did not land");
        }
        assertFalse(creates.acknowledged.isEmpty());
        assertAllListed(frozen, "bob", creates.acknowledged, 10);
        assertAllListed(through, "bob", creates.acknowledged);
    }

    @Test
    @Order(6)
    void aReservationWhoseCreatorVanishedExpiresWithAnAuditLine() throws Exception {
        String master = master();
        try (LineClient m = LineClient.mupdate(port(others(master).get(0), "mupdate"), "murder", "murder")) {
            m.send("R1 RESERVE \"user.vanished.creator\" \"" + master + "!default\"");
            assertEquals(List.of("R1 OK \"done\""), m.answer("R1"));
            long deadline = System.currentTimeMillis() + 100_000; // 20 s old, swept once a minute
            List<String> found;
            int i = 0;
            do {
                Thread.sleep(2000);
                m.send("F" + ++i + " FIND \"user.vanished.creator\"");
                found = m.answer("F" + i);
            } while (found.size() > 1 && System.currentTimeMillis() < deadline);
            assertEquals(List.of("F" + i + " OK \"Search completed\""), found, "the reservation expired");
        }
        readStatus();
        String log = Files.readString(DIR.resolve(master()).resolve("log/server.log"), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(log.contains("AUDIT reservation of user.vanished.creator at " + master + "!default expired"),
                "audit line on " + master());
    }
}
