package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The frontend's LMTP proxy: a node with the role {@code frontend} only ({@code ExtraServer}, offset 9350),
 * MUPDATE slave of the test server, which is the backend holding the users. Recipients are routed by the
 * mailbox list: delivered on the backend with one reply each, {@code 550} only for a user the master does not
 * know, {@code 451 4.2.1} for a RESERVED mailbox, {@code 451 4.4.3} for one on a backend that does not answer,
 * and a user created on the master a moment before is found (the NOOP barrier).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FrontendLmtpIT {
    private static final int OFFSET = 9350;
    private static ExtraServer frontend;
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
        frontend = ExtraServer.start("frontend1", OFFSET, Map.of("CORVID_ROLES", "frontend",
                "CORVID_MUPDATE_MASTER", TestServer.HOST + ":" + TestServer.MUPDATE,
                "CORVID_MUPDATE_USER", "frontend", "CORVID_MUPDATE_PASSWORD", "frontend",
                // the test server's ports are shifted; deadbe listens nowhere
                "CORVID_BACKENDS", backend + "=" + TestServer.HOST + ":" + TestServer.IMAP + ":" + TestServer.LMTP
                        + ",deadbe=127.0.0.1:1:1"));
    }

    @AfterAll
    static void stopFrontend() throws Exception {
        if (frontend != null) {
            frontend.close();
        }
        try (LineClient w = LineClient.mupdate(LineClient.MURDER)) {
            w.send("D1 DELETE \"user.fghost\"");
            w.read();
            w.send("D2 DELETE \"user.fbusy\"");
            w.read();
        }
    }

    private static List<String> subjects(String user) throws Exception {
        try (LineClient c = LineClient.imap(user)) {
            c.send("S1 EXAMINE INBOX");
            c.readUntil("S1 OK");
            c.send("F1 FETCH 1:* BODY.PEEK[HEADER.FIELDS (SUBJECT)]");
            return c.answer("F1").stream().filter(l -> l.startsWith("Subject:")).toList();
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
        assertTrue(subjects("alice").containsAll(List.of("Subject: " + subject, "Subject: " + subject + " again")));
        assertTrue(subjects("bob").contains("Subject: " + subject));
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
}
