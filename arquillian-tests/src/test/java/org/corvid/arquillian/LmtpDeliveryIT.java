package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * LMTP delivery into the backend, read back over IMAP: a pipelined transaction to two users (one reply per
 * recipient), dot-stuffing, a message over the limit refused per recipient with the connection kept, and
 * Python's {@code smtplib.LMTP} as an independent client.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LmtpDeliveryIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    /** Logs in once (creating the INBOX) and returns the number of messages in it. */
    private static int inboxCount(String user) throws Exception {
        try (LineClient c = LineClient.imap(user)) {
            c.send("S1 STATUS INBOX (MESSAGES)");
            String status = c.readUntil("* STATUS");
            c.readUntil("S1 OK");
            return Integer.parseInt(status.replaceAll(".*MESSAGES (\\d+).*", "$1"));
        }
    }

    /** The last message of the user's INBOX, as IMAP returns it (BODY.PEEK[]). */
    private static String lastMessage(String user) throws Exception {
        try (LineClient c = LineClient.imap(user)) {
            c.send("S1 EXAMINE INBOX");
            c.readUntil("S1 OK");
            c.send("F1 FETCH * BODY.PEEK[]");
            String head = c.readUntil("* ");
            int size = Integer.parseInt(head.replaceAll(".*\\{(\\d+)\\}$", "$1"));
            StringBuilder body = new StringBuilder();
            while (body.length() < size) {
                body.append(c.read()).append("\r\n");
            }
            c.readUntil("F1 OK");
            return body.toString();
        }
    }

    @Test
    void pipelinedDeliveryToTwoUsersAnsweredPerRecipient() throws Exception {
        int alice = inboxCount("alice");
        int bob = inboxCount("bob");
        try (LineClient l = new LineClient(TestServer.LMTP)) {
            l.readUntil("220 ");
            l.send("LHLO it.example\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.org>\r\n"
                    + "RCPT TO:<nobody@example.org>\r\nRCPT TO:<bob+nosuchfolder@example.org>\r\nDATA");
            l.readUntil("250 SIZE");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok", "550 5.1.1 Mailbox unknown", "250 2.1.5 Ok"),
                    List.of(l.read(), l.read(), l.read(), l.read()));
            assertTrue(l.read().startsWith("354 "));
            l.send("Subject: lmtp it\r\n\r\n..dot-stuffed line\r\nlast line\r\n.");
            assertEquals(List.of("250 2.1.5 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()), "one reply per accepted recipient");
            l.send("NOOP");
            assertEquals("250 2.0.0 Ok", l.read());
        }
        assertEquals(alice + 1, inboxCount("alice"));
        assertEquals(bob + 1, inboxCount("bob"), "user+detail without such a folder goes to INBOX");
        String got = lastMessage("alice");
        assertTrue(got.startsWith("Return-Path: <sender@example.org>\r\nReceived: from 127.0.0.1 by "), got);
        assertTrue(got.endsWith("Subject: lmtp it\r\n\r\n.dot-stuffed line\r\nlast line\r\n"), got);
    }

    /** {@code user+detail} goes to {@code INBOX.detail} when anyone may post there (Cyrus's rule), else to INBOX. */
    @Test
    void plusDetailGoesToTheFolderWhenAnyoneMayPostThere() throws Exception {
        String folder = "f" + Long.toString(System.nanoTime(), 36);
        try (LineClient c = LineClient.imap("bob")) {
            c.send("C1 CREATE INBOX." + folder);
            assertTrue(c.readUntil("C1 ").startsWith("C1 OK"));
            c.send("C2 SETACL INBOX." + folder + " anyone p");
            assertTrue(c.readUntil("C2 ").startsWith("C2 OK"));
        }
        int inbox = inboxCount("bob");
        try (LineClient l = new LineClient(TestServer.LMTP)) {
            l.readUntil("220 ");
            l.send("LHLO it.example");
            l.readUntil("250 ");
            l.send("MAIL FROM:<s@example.org>\r\nRCPT TO:<bob+" + folder + "@example.org>\r\nDATA");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
            assertTrue(l.read().startsWith("354 "));
            l.send("Subject: to the folder\r\n\r\nbody\r\n.");
            assertEquals("250 2.1.5 Ok", l.read());
        }
        assertEquals(inbox, inboxCount("bob"), "not into INBOX");
        try (LineClient c = LineClient.imap("bob")) {
            c.send("S1 STATUS INBOX." + folder + " (MESSAGES UIDNEXT)");
            assertEquals("* STATUS INBOX." + folder + " (MESSAGES 1 UIDNEXT 2)", c.readUntil("* STATUS"));
            c.readUntil("S1 OK");
        }
    }

    /** A message with nothing in it but the end of data is stored as its trace headers, exactly the size announced. */
    @Test
    void anEmptyMessageIsStoredWithItsTraceHeaders() throws Exception {
        LineClient.imap("bob").close(); // his INBOX, created at first login
        try (LineClient l = new LineClient(TestServer.LMTP)) {
            l.readUntil("220 ");
            l.send("LHLO it.example");
            l.readUntil("250 ");
            l.send("MAIL FROM:<empty@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
            assertTrue(l.read().startsWith("354"));
            l.send(".");
            assertEquals("250 2.1.5 Ok", l.read());
        }
        try (LineClient c = LineClient.imap("bob")) {
            c.send("E1 EXAMINE INBOX");
            c.readUntil("E1 OK");
            c.send("E2 FETCH * (RFC822.SIZE BODY.PEEK[])");
            String head = c.read();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\* \\d+ FETCH \\(RFC822\\.SIZE (\\d+) BODY\\[\\] \\{(\\d+)\\}").matcher(head);
            assertTrue(m.find(), head);
            assertEquals(m.group(1), m.group(2), "the size announced is the size sent");
            assertEquals("Return-Path: <empty@example.org>", c.read());
            assertTrue(c.read().startsWith("Received: from "));
            assertTrue(c.readUntil("E2 ").startsWith("E2 OK"), "the literal had all its bytes: the answer ends cleanly");
        }
    }

    @Test
    void aMessageOverTheLimitIsRefusedPerRecipientAndTheConnectionLives() throws Exception {
        inboxCount("alice");
        try (LineClient l = new LineClient(TestServer.LMTP)) {
            l.readUntil("220 ");
            l.send("LHLO it.example");
            long max = Long.parseLong(l.readUntil("250 SIZE").substring(9));
            assertTrue(max > 0);
            l.send("MAIL FROM:<s@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
            l.read();
            l.read();
            assertTrue(l.read().startsWith("354 "));
            String line = "x".repeat(998);
            StringBuilder big = new StringBuilder();
            for (long n = 0; n <= max / 1000 + 1; n++) {
                big.append(line).append("\r\n");
                if (big.length() > 1 << 20) {
                    l.sendRaw(big.toString());
                    big.setLength(0);
                }
            }
            l.send(big + ".");
            assertEquals("552 5.3.4 Message size exceeds fixed maximum message size", l.read());
            l.send("NOOP");
            assertEquals("250 2.0.0 Ok", l.read());
        }
    }

    @Test
    void overQuotaIs452ForThatRecipientOnly() throws Exception {
        try (LineClient a = LineClient.imap("admin")) {
            a.send("C1 CREATE user.lmtpquota");
            a.readUntil("C1 ");
            a.send("Q1 SETQUOTA user.lmtpquota (MESSAGE 1)");
            a.readUntil("Q1 OK");
        }
        inboxCount("bob");
        for (String expected : List.of("250 2.1.5 Ok", "452 4.2.2 Over quota")) {
            try (LineClient l = new LineClient(TestServer.LMTP)) {
                l.readUntil("220 ");
                l.send("LHLO it\r\nMAIL FROM:<q@example.org>\r\nRCPT TO:<lmtpquota@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA");
                l.readUntil("354 ");
                l.send("Subject: quota\r\n\r\nx\r\n.");
                assertEquals(List.of(expected, "250 2.1.5 Ok"), List.of(l.read(), l.read()));
            }
        }
    }

    @Test
    void pythonSmtplibLmtpDelivers() throws Exception {
        int before = inboxCount("bob");
        String script = String.join("\n",
                "import smtplib, sys",
                "l = smtplib.LMTP(sys.argv[1], int(sys.argv[2]))",
                "refused = l.sendmail('py@example.org', ['bob@example.org'], 'Subject: from python\\r\\n\\r\\nhi\\r\\n')",
                "print('refused', refused)",
                "l.quit()");
        String out = Python.run("smtplib.LMTP", script, TestServer.HOST, String.valueOf(TestServer.LMTP));
        assertTrue(out.contains("refused {}"), out);
        assertEquals(before + 1, inboxCount("bob"));
        assertTrue(lastMessage("bob").endsWith("Subject: from python\r\n\r\nhi\r\n"));
    }

    /** As Cyrus's lmtpd over TCP: a peer that is not on the loopback interface must AUTH before MAIL. */
    @Test
    void aNonLocalPeerMustAuthenticateAsAnAdministratorOrFrontend() throws Exception {
        String address = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(n -> { try { return n.isUp() && !n.isLoopback(); } catch (SocketException e) { return false; } })
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address).map(InetAddress::getHostAddress)
                .findFirst().orElse(null);
        assumeTrue(address != null, "this machine has no non-loopback IPv4 address to connect from");
        int before = inboxCount("alice");
        try (LineClient l = new LineClient(address, TestServer.LMTP)) {
            l.readUntil("220 ");
            l.send("LHLO it.example");
            assertEquals("250-AUTH PLAIN", l.readUntil("250-AUTH"));
            l.readUntil("250 SIZE");
            l.send("MAIL FROM:<sender@example.org>");
            assertEquals("530 5.7.0 Authentication required", l.read());
            l.send("AUTH PLAIN AGFsaWNlAGFsaWNl"); // alice: a user, not a delivering server
            assertEquals("535 5.7.8 Authentication credentials invalid", l.read());
            l.send("AUTH PLAIN AGZyb250ZW5kAGZyb250ZW5k"); // frontend
            assertEquals("235 2.7.0 Authentication successful", l.read());
            l.send("MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.org>\r\nDATA");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()));
            assertTrue(l.read().startsWith("354 "));
            l.send("Subject: from afar\r\n\r\nhi\r\n.");
            assertEquals("250 2.1.5 Ok", l.read());
        }
        assertEquals(before + 1, inboxCount("alice"));
    }
}
