package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Corvid's MUPDATE slave streaming from Corvid's master: a second node (role frontend,
 * {@code CORVID_MUPDATE_MASTER} = the test server) mirrors the list in its location cache, serves it read-only
 * on its own MUPDATE port, passes every change on to its UPDATE subscribers and runs the NOOP barrier through
 * the master; its REST lookup asks the master through the pooled MUPDATE client.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MupdateSlaveIT {
    static final int OFFSET = 9200; // MUPDATE 13105, HTTP 17280: clear of the test server and the Cyrus labs
    private static ExtraServer slave;
    /** strcmp order, which Cyrus slaves rely on when they merge a dump with their list. */
    private static final List<String> BYTE_ORDER = List.of("user.ord.A", "user.ord.Z", "user.ord.a.b", "user.ord.a_b",
            "user.ord.ab");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    @BeforeAll
    static void startSlave() throws Exception {
        // written before the slave starts: it must arrive with the initial sync
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("P1 ACTIVATE \"user.presync\" \"sl0!default\" \"presync\tlrswipkxtecdan\t\"");
            assertEquals("P1 OK \"done\"", w.read());
            for (int i : new int[] {4, 1, 3, 0, 2}) {
                w.send("P2 ACTIVATE \"" + BYTE_ORDER.get(i) + "\" \"so1!default\" \"\"");
                assertEquals("P2 OK \"done\"", w.read());
            }
        }
        slave = ExtraServer.slave("slave1", OFFSET, TestServer.HOST + ":" + TestServer.MUPDATE, "frontend", "frontend");
    }

    @AfterAll
    static void stopSlave() throws Exception {
        if (slave != null) {
            slave.close();
        }
    }

    private static LineClient slaveReader() throws Exception {
        return LineClient.mupdate(slave.port(3905), "frontend", "frontend");
    }

    private static LineClient masterWriter() throws Exception {
        return LineClient.mupdate(LineClient.MURDER);
    }

    /** Lines up to (not including) {@code tag}'s completion, which is returned last. */

    @Test
    void bannerNamesTheMasterAndWritesAreRefused() throws Exception {
        try (LineClient c = new LineClient(slave.port(3905))) {
            String banner = c.readUntil("* OK MUPDATE");
            assertTrue(banner.matches("\\* OK MUPDATE \"slave1\" \"Corvid\" \"[^\"]+\" \"mupdate://127\\.0\\.0\\.1:"
                    + TestServer.MUPDATE + "\""), banner);
        }
        try (LineClient c = LineClient.mupdate(slave.port(3905), "murder", "murder")) {
            c.send("W1 ACTIVATE \"user.x\" \"sl0!default\" \"\"");
            assertEquals("W1 BAD \"read-only session\"", c.read());
            c.send("W2 DELETE \"user.presync\"");
            assertEquals("W2 BAD \"read-only session\"", c.read());
        }
    }

    @Test
    void findAndListAnswerFromTheSlavesCopy() throws Exception {
        try (LineClient c = slaveReader()) {
            c.send("F1 FIND \"user.presync\"");
            assertEquals(List.of("F1 MAILBOX {12+}", "user.presync {11+}", "sl0!default {23+}",
                    "presync\tlrswipkxtecdan\t", "F1 OK \"Search completed\""), c.answer("F1"));
            c.send("L1 LIST \"sl0!\"");
            List<String> list = c.answer("L1");
            assertTrue(list.contains("user.presync {11+}"), list.toString());
            assertEquals("L1 OK \"list complete\"", list.get(list.size() - 1));
        }
    }

    @Test
    void masterAndSlaveDumpInByteOrder() throws Exception {
        for (int port : new int[] {TestServer.MUPDATE, slave.port(3905)}) {
            try (LineClient c = LineClient.mupdate(port, "frontend", "frontend")) {
                c.send("L1 LIST \"so1\"");
                List<String> names = c.answer("L1").stream().filter(l -> l.startsWith("user.ord."))
                        .map(l -> l.substring(0, l.indexOf(' '))).toList();
                assertEquals(BYTE_ORDER, names, "LIST on port " + port);
                c.send("U1 UPDATE \"so1\"");
                names = c.answer("U1").stream().filter(l -> l.startsWith("user.ord."))
                        .map(l -> l.substring(0, l.indexOf(' '))).toList();
                assertEquals(BYTE_ORDER, names, "UPDATE on port " + port);
            }
        }
    }

    @Test
    void everyMasterChangeReachesTheSlavesSubscribersAndNoopIsABarrier() throws Exception {
        try (LineClient w = masterWriter(); LineClient s = slaveReader()) {
            s.send("U1 UPDATE \"sl1\"");
            assertEquals("U1 OK \"streaming starts\"", s.read());
            s.timeout(2000); // pushed within 1 s of the master's commit

            w.send("X1 ACTIVATE \"user.sl1\" \"sl1!default\" \"sl1\tlrswipkxtecdan\t\"");
            assertEquals("X1 OK \"done\"", w.read());
            assertEquals(List.of("U1 MAILBOX {8+}", "user.sl1 {11+}", "sl1!default {19+}", "sl1\tlrswipkxtecdan\t"),
                    List.of(s.read(), s.read(), s.read(), s.read()));

            w.send("X2 RESERVE \"user.sl1.new\" \"sl1!default\"");
            assertEquals("X2 OK \"done\"", w.read());
            assertEquals(List.of("U1 RESERVE {12+}", "user.sl1.new {11+}", "sl1!default"),
                    List.of(s.read(), s.read(), s.read()));

            w.send("X3 DELETE \"user.sl1.new\"");
            assertEquals("X3 OK \"done\"", w.read());
            assertEquals(List.of("U1 DELETE {12+}", "user.sl1.new"), List.of(s.read(), s.read()));

            // the barrier: a write answered by the master, then NOOP at once on the slave: the change first
            for (int i = 0; i < 20; i++) {
                w.send("Y" + i + " ACTIVATE \"user.sl1.b" + i + "\" \"sl1!p" + i + "\" \"\"");
                assertEquals("Y" + i + " OK \"done\"", w.read());
                s.send("N" + i + " NOOP");
                List<String> got = s.answer("N" + i);
                assertEquals(List.of("U1 MAILBOX {" + ("user.sl1.b" + i).length() + "+}",
                        "user.sl1.b" + i + " {" + ("sl1!p" + i).length() + "+}", "sl1!p" + i + " {0+}", "",
                        "N" + i + " OK \"Noop done\""), got);
            }
            s.send("F1 FIND \"user.sl1\"");
            assertEquals("F1 BAD \"not legal when streaming\"", s.read());
        }
    }

    @Test
    void healthShowsSlaveModeAndRestAsksTheMasterThroughThePool() throws Exception {
        JsonObject mupdate = Http.json(Http.get(slave.port(8080), "/api/health", null)).getJsonObject("mupdate");
        assertEquals("slave", mupdate.getString("mode"));
        assertEquals(TestServer.HOST + ":" + TestServer.MUPDATE, mupdate.getString("master"));
        assertTrue(mupdate.getBoolean("synced"));

        HttpResponse<String> found = Http.get(slave.port(8080), "/api/mupdate/mailboxes/user.presync", "admin");
        assertEquals(200, found.statusCode(), found.body());
        JsonObject entry = Http.json(found);
        assertEquals("ACTIVE", entry.getString("state"));
        assertEquals("sl0!default", entry.getString("location"));
        assertEquals("presync\tlrswipkxtecdan\t", entry.getString("acl"));

        HttpResponse<String> missing = Http.get(slave.port(8080), "/api/mupdate/mailboxes/user.nobody", "admin");
        assertEquals(404, missing.statusCode(), missing.body());
        assertEquals("application/problem+json", missing.headers().firstValue("Content-Type").orElse(""));
        assertEquals(401, Http.get(slave.port(8080), "/api/mupdate/mailboxes/user.presync", null).statusCode());
    }
}
