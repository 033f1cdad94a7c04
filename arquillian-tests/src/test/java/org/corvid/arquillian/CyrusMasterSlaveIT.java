package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Corvid's MUPDATE slave streaming from a real Cyrus 3.6 {@code mupdate -m} (Debian's package, started alone by
 * src/test/cyrus/cyrus-murder.sh on 127.0.0.1:16905): the initial sync, live changes, the NOOP barrier
 * through Cyrus, the pooled client's FIND, and a full resync after Cyrus restarts with a different list.
 * Needs root and the Cyrus packages (.ci/run installs them); skipped with a message otherwise. Runs against
 * the Arquillian test server only to reuse its WildFly installation and EAR.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CyrusMasterSlaveIT {
    private static final Path DIR = Path.of("target/cyrus-master").toAbsolutePath();
    private static final String SCRIPT = "src/test/cyrus/cyrus-murder.sh";
    private static final int CYRUS_MASTER = 16905;
    private static final int OFFSET = 9250; // MUPDATE 13155, HTTP 17330
    private static boolean cyrusStarted;
    private static ExtraServer slave;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static void sh(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
    }

    private static LineClient cyrus() throws Exception {
        return LineClient.mupdate(CYRUS_MASTER, "murder", "secret");
    }

    private static LineClient slaveReader() throws Exception {
        return LineClient.mupdate(slave.port(3905), "frontend", "frontend");
    }


    @BeforeAll
    static void start() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the Cyrus harness needs root (mount namespace): skipping Corvid's slave of a Cyrus master");
        assumeTrue(new File("/usr/sbin/cyrmaster").canExecute() && new File("/usr/lib/cyrus/bin/mupdate").canExecute(),
                "Cyrus not installed (apt-get install cyrus-imapd cyrus-murder sasl2-bin): skipping");
        sh("master", DIR.toString());
        cyrusStarted = true;
        try (LineClient c = cyrus()) {
            c.send("A1 ACTIVATE \"user.alice\" \"backend1!default\" \"alice\tlrswipkxtecdan\t\"");
            assertEquals("A1 OK \"done\"", c.read());
            c.send("A2 RESERVE \"user.bob\" \"backend2!default\"");
            assertEquals("A2 OK \"done\"", c.read());
        }
        slave = ExtraServer.slave("slave-of-cyrus", OFFSET, TestServer.HOST + ":" + CYRUS_MASTER, "murder", "secret");
    }

    @AfterAll
    static void stop() throws Exception {
        if (slave != null) {
            slave.close();
        }
        if (cyrusStarted) {
            sh("down", DIR.toString());
        }
    }

    @Test
    @Order(1)
    void initialSyncFromCyrus() throws Exception {
        try (LineClient c = slaveReader()) {
            c.send("F1 FIND \"user.alice\"");
            assertEquals(List.of("F1 MAILBOX {10+}", "user.alice {16+}", "backend1!default {21+}",
                    "alice\tlrswipkxtecdan\t", "F1 OK \"Search completed\""), c.answer("F1"));
            c.send("F2 FIND \"user.bob\"");
            assertEquals(List.of("F2 RESERVE {8+}", "user.bob {16+}", "backend2!default",
                    "F2 OK \"Search completed\""), c.answer("F2"));
        }
        JsonObject mupdate = Http.json(Http.get(slave.port(8080), "/api/health", null)).getJsonObject("mupdate");
        assertEquals("slave", mupdate.getString("mode"));
        assertTrue(mupdate.getBoolean("synced"));
    }

    @Test
    @Order(2)
    void cyrusChangesStreamThroughTheSlaveAndNoopIsABarrier() throws Exception {
        try (LineClient w = cyrus(); LineClient s = slaveReader()) {
            s.send("U1 UPDATE");
            List<String> dump = s.answer("U1");
            assertEquals("U1 OK \"streaming starts\"", dump.get(dump.size() - 1));
            assertTrue(dump.contains("user.alice {16+}") && dump.contains("user.bob {16+}"), dump.toString());

            w.send("B1 ACTIVATE \"user.carol\" \"backend2!default\" \"carol\tlrswipkxtecdan\t\"");
            assertEquals("B1 OK \"done\"", w.read());
            s.send("N1 NOOP"); // Cyrus batches its stream; the barrier makes it send what it committed
            assertEquals(List.of("U1 MAILBOX {10+}", "user.carol {16+}", "backend2!default {21+}",
                    "carol\tlrswipkxtecdan\t", "N1 OK \"Noop done\""), s.answer("N1"));

            w.send("B2 DELETE \"user.bob\"");
            assertEquals("B2 OK \"done\"", w.read());
            s.send("N2 NOOP");
            assertEquals(List.of("U1 DELETE {8+}", "user.bob", "N2 OK \"Noop done\""), s.answer("N2"));
        }
        HttpResponse<String> r = Http.get(slave.port(8080), "/api/mupdate/mailboxes/user.carol", "admin");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("backend2!default", Http.json(r).getString("location"));
    }

    @Test
    @Order(3)
    void afterCyrusRestartsTheSlaveReconnectsAndResyncsInFull() throws Exception {
        try (LineClient s = slaveReader()) {
            s.send("U1 UPDATE");
            s.answer("U1");
            sh("master-reset", DIR.toString()); // Cyrus back with an empty list
            try (LineClient w = cyrus()) {
                w.send("C1 ACTIVATE \"user.dave\" \"backend1!default\" \"dave\tlrswipkxtecdan\t\"");
                assertEquals("C1 OK \"done\"", w.read());
            }
            // the slave reconnects (backoff from 1 s) and resyncs: the local stream sees the differences
            s.timeout(45_000);
            List<String> pushed = new ArrayList<>();
            while (pushed.size() < 8) {
                pushed.add(s.read());
            }
            assertTrue(pushed.containsAll(List.of("U1 DELETE {10+}", "user.alice", "U1 DELETE {10+}", "user.carol",
                    "U1 MAILBOX {9+}", "user.dave {16+}", "backend1!default {20+}", "dave\tlrswipkxtecdan\t")),
                    pushed.toString());
        }
        try (LineClient c = slaveReader()) {
            c.send("L1 LIST");
            assertEquals(List.of("L1 MAILBOX {9+}", "user.dave {16+}", "backend1!default {20+}",
                    "dave\tlrswipkxtecdan\t", "L1 OK \"list complete\""), c.answer("L1"));
        }
    }
}
