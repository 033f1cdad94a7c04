package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real Cyrus 3.6 murder (two backends, a frontend with its mupdate slave; Debian packages, started by
 * src/test/cyrus/cyrus-murder.sh) using the deployed Corvid as its MUPDATE master: the backends push their
 * lists, the frontend's slave streams from Corvid, CREATE / SETACL / DELETE through the Cyrus frontend land in
 * Corvid's list, and entries written to Corvid reach the Cyrus frontend. Needs root and the Cyrus packages
 * (.ci/run installs them); skipped with a message otherwise.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class CyrusMurderIT {
    private static final Path DIR = Path.of("target/cyrus-murder").toAbsolutePath();
    private static final String SCRIPT = "src/test/cyrus/cyrus-murder.sh";
    private static final int FRONTEND_IMAP = 16143;
    private static boolean started;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    private static String sh(long timeoutSeconds, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @BeforeAll
    static void startCyrus() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the Cyrus murder harness needs root (mount namespace): skipping the Cyrus murder interoperability test");
        assumeTrue(new File("/usr/sbin/cyrmaster").canExecute() && new File("/usr/lib/cyrus/bin/mupdate").canExecute(),
                "Cyrus not installed (apt-get install cyrus-imapd cyrus-murder cyrus-clients sasl2-bin): skipping");
        sh(120, "bash", SCRIPT, "up", DIR.toString(), TestServer.HOST + ":" + TestServer.MUPDATE, "murder", "murder");
        started = true;
        waitForLog("mailbox list synchronization complete", 30);
    }

    @AfterAll
    static void stopCyrus() throws Exception {
        if (started) {
            sh(60, "bash", SCRIPT, "down", DIR.toString());
        }
    }

    private static void waitForLog(String text, int seconds) throws Exception {
        Path log = DIR.resolve("logs/syslog.log");
        for (int i = 0; i < seconds * 5; i++) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Cyrus never logged '" + text + "'; log:\n"
                + (Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(none)"));
    }

    /** IMAP commands through the Cyrus frontend as the Cyrus admin, with Cyrus's own imtest. */
    private static String frontend(String... commands) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/lib/cyrus/bin/imtest", "-p", String.valueOf(FRONTEND_IMAP),
                "-a", "cyrus", "-w", "secret", "-m", "PLAIN", TestServer.HOST));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write((String.join("\r\n", commands) + "\r\nzz LOGOUT\r\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "imtest did not finish");
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }


    @Test
    void backendsPushedTheirListsAndTheFrontendSlaveStreamsFromCorvid() throws Exception {
        waitForLog("done populating mupdate", 30);
        waitForLog("successful mupdate connection to " + TestServer.HOST, 5);
    }

    @Test
    void createSetaclDeleteThroughTheCyrusFrontendChangeCorvidsList() throws Exception {
        String out = frontend("a1 CREATE user.interop1", "a2 SETACL user.interop1 anyone lr");
        assertTrue(out.contains("a1 OK"), out);
        assertTrue(out.contains("a2 OK"), out);

        List<String> found = LineClient.mupdateFind("user.interop1");
        assertEquals(4, found.size(), "an active entry: " + found);
        assertEquals("F1 MAILBOX {13+}", found.get(0));
        assertTrue(found.get(1).equals("user.interop1 {16+}"), found.toString());
        assertTrue(found.get(2).matches("backend[12]!default \\{\\d+\\+}"), found.toString());
        assertTrue(found.get(3).contains("anyone\tlr\t"), "the ACL change reached Corvid: " + found);

        out = frontend("b1 SETACL user.interop1 cyrus lrswipkxtecda", "b2 DELETE user.interop1");
        assertTrue(out.contains("b2 OK"), out);
        assertEquals(List.of(), LineClient.mupdateFind("user.interop1"), "deleted (Cyrus keeps it as DELETED.user.interop1.*)");
    }

    @Test
    void anEntryWrittenToCorvidReachesTheCyrusFrontend() throws Exception {
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("X1 ACTIVATE \"shared.fromcorvid\" \"backend1!default\" \"anyone\tlrs\t\"");
            assertEquals("X1 OK \"done\"", w.read());
            String out = "";
            for (int i = 0; i < 25 && !out.contains("shared.fromcorvid"); i++) {
                Thread.sleep(200);
                out = frontend("c1 LIST \"\" \"shared.*\"");
            }
            assertTrue(out.contains("* LIST") && out.contains("shared.fromcorvid"), out);
            w.send("X2 DELETE \"shared.fromcorvid\"");
            assertEquals("X2 OK \"done\"", w.read());
        }
    }

    /**
     * A Corvid frontend (an extra node with the role {@code frontend} only, offset 9400) in front of the real Cyrus
     * backends: it streams the list from the Corvid master the Cyrus backends push to, and proxies IMAP and LMTP
     * to the Cyrus backend holding the INBOX, logged in there as {@code murder} (Cyrus {@code proxyservers})
     * for the user. The user is in Corvid's realm (the frontend authenticates) and has no mail on Corvid.
     */
    @Test
    void aCorvidFrontendProxiesImapAndLmtpToACyrusBackend() throws Exception {
        String out = frontend("d1 CREATE user.cyfe");
        assertTrue(out.contains("d1 OK"), out);
        List<String> found = LineClient.mupdateFind("user.cyfe");
        String server = found.get(2).substring(0, found.get(2).indexOf('!'));
        try (ExtraServer fe = ExtraServer.start("cyrusfe", 9400, Map.of("CORVID_ROLES", "frontend",
                "CORVID_MUPDATE_MASTER", TestServer.HOST + ":" + TestServer.MUPDATE,
                "CORVID_MUPDATE_USER", "frontend", "CORVID_MUPDATE_PASSWORD", "frontend",
                // the Cyrus backends' murder-facing services, and the Cyrus side's proxy principal
                "CORVID_BACKENDS", "backend1=127.0.0.21:16201:16202,backend2=127.0.0.22:16201:16202",
                "CORVID_PROXY_USER", "murder", "CORVID_PROXY_PASSWORD", "secret"), Map.of("cyfe", "cyfe"))) {
            try (LineClient l = new LineClient(TestServer.HOST, fe.port(2424))) {
                l.readUntil("220 ");
                l.send("LHLO it.example");
                l.readUntil("250 ");
                l.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<cyfe@example.org>\r\nDATA");
                assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
                assertTrue(l.read().startsWith("354"));
                l.sendRaw("Subject: delivered through Corvid to " + server + "\r\n\r\nbody\r\n.\r\n");
                String reply = l.read();
                assertTrue(reply.startsWith("250 2.1.5"), "Cyrus's lmtpd accepted it: " + reply);
            }
            try (LineClient c = LineClient.imap(fe.port(1143), "cyfe")) {
                c.send("A1 LIST \"\" \"*\"");
                assertEquals(List.of("* LIST (\\HasNoChildren) \".\" INBOX", "A1 OK Completed"), c.answer("A1"));
                c.send("A2 SELECT INBOX");
                List<String> selected = c.answer("A2");
                assertTrue(selected.contains("* 1 EXISTS"), selected.toString());
                assertTrue(selected.get(selected.size() - 1).startsWith("A2 OK [READ-WRITE]"), selected.toString());
                c.send("A3 APPEND INBOX (\\Flagged) {25+}");
                c.sendRaw("Subject: appended\r\n\r\nhi\r\n");
                c.send("");
                List<String> appended = c.answer("A3");
                assertTrue(appended.get(appended.size() - 1).matches("A3 OK \\[APPENDUID \\d+ 2\\].*"), appended.toString());
                c.send("A4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
                List<String> fetched = c.answer("A4");
                assertTrue(fetched.contains("Subject: delivered through Corvid to " + server), fetched.toString());
                assertTrue(fetched.contains("Subject: appended"), fetched.toString());
                c.send("A5 UID SEARCH FLAGGED");
                List<String> searched = c.answer("A5"); // Cyrus adds the time taken to its OK
                assertEquals("* SEARCH 2", searched.get(0), searched.toString());
                assertTrue(searched.get(1).startsWith("A5 OK"), searched.toString());
                c.send("A6 LOGOUT");
                assertTrue(c.answer("A6").get(0).startsWith("* BYE"));
            }
        } finally {
            frontend("d8 SETACL user.cyfe cyrus x", "d9 DELETE user.cyfe");
        }
    }
}
