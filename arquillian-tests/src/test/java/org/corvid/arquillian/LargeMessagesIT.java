package org.corvid.arquillian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Messages above the adapter's spool threshold (1 MiB) travel through temporary files, not memory: a 3 MiB
 * APPEND (its BODYSTRUCTURE parsed from the spool file as a stream) and a 3 MiB LMTP delivery arrive whole, and no temporary file is left behind, not even by a client
 * that disconnects in the middle of its literal.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class LargeMessagesIT {
    private static final int SIZE = 3 * 1024 * 1024;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return TestServer.ear();
    }

    /** A message of about {@code size} bytes: headers, then 76-character lines. */
    private static String message(String subject, int size) {
        StringBuilder m = new StringBuilder("Subject: " + subject + "\r\nFrom: big@example.org\r\n\r\n");
        for (int i = 0; m.length() < size; i++) {
            m.append(String.format("%08d", i)).append("y".repeat(66)).append("\r\n");
        }
        return m.toString();
    }

    private static long temporaryFiles() throws IOException {
        Path dir = Path.of("target/test-data/tmp/literals");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void aLargeAppendAndALargeDeliveryArriveWholeAndLeaveNoTemporaryFile() throws Exception {
        String appended = message("large append", SIZE);
        try (LineClient c = LineClient.imap("bob")) {
            c.send("C1 CREATE INBOX.large");
            c.readUntil("C1 ");
            c.timeout(60_000);
            c.sendRaw("A1 APPEND INBOX.large {" + appended.length() + "+}\r\n" + appended + "\r\n");
            String ok = c.readUntil("A1 ");
            assertTrue(ok.startsWith("A1 OK [APPENDUID"), ok);
            c.send("S1 EXAMINE INBOX.large");
            c.readUntil("S1 OK");
            c.send("F1 FETCH 1 (RFC822.SIZE ENVELOPE BODY.PEEK[TEXT]<3000000.40>)");
            List<String> lines = c.answer("F1");
            assertTrue(lines.get(0).startsWith("* 1 FETCH (RFC822.SIZE " + appended.length() + " ENVELOPE (NIL \"large append\""),
                    lines.get(0));
            String tail = appended.substring(appended.indexOf("\r\n\r\n") + 4).substring(3_000_000, 3_000_040);
            assertTrue(String.join("\r\n", lines).contains(tail.substring(0, 20)), "the bytes at 3,000,000 are intact");
            c.send("F2 FETCH 1 BODYSTRUCTURE");
            String structure = c.answer("F2").get(0);
            String body = appended.substring(appended.indexOf("\r\n\r\n") + 4);
            assertTrue(structure.contains("\"TEXT\" \"PLAIN\"") && structure.contains(" \"7BIT\" " + body.length() + " "
                    + body.chars().filter(ch -> ch == '\n').count() + " "), "size and lines, streamed: " + structure);
            c.send("F3 FETCH 1 BODY.PEEK[]");
            assertEquals("* 1 FETCH (BODY[] {" + appended.length() + "}", c.read());
            StringBuilder fetched = new StringBuilder();
            while (fetched.length() < appended.length()) {
                fetched.append(c.read()).append("\r\n");
            }
            assertEquals(appended, fetched.toString(), "the whole message, streamed from its file");
            assertEquals(")", c.read());
            assertEquals("F3 OK Completed", c.read());
            c.send("D1 DELETE INBOX.large");
            c.readUntil("D1 ");
        }

        LineClient.imap("alice").close(); // her INBOX exists (created at first login)
        String delivered = message("large delivery", SIZE);
        try (LineClient l = new LineClient(TestServer.LMTP)) {
            l.timeout(60_000);
            l.readUntil("220 ");
            l.send("LHLO it\r\nMAIL FROM:<big@example.org>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA");
            l.readUntil("250 SIZE");
            assertEquals(List.of("250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read(), l.read()));
            l.readUntil("354 ");
            l.sendRaw(delivered + ".\r\n");
            assertEquals(List.of("250 2.1.5 Ok", "250 2.1.5 Ok"), List.of(l.read(), l.read()), "one file, two copies");
        }
        try (LineClient c = LineClient.imap("alice")) {
            c.send("S1 EXAMINE INBOX");
            c.readUntil("S1 OK");
            c.send("F1 FETCH * (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
            List<String> lines = c.answer("F1");
            assertTrue(lines.get(0).matches("\\* \\d+ FETCH \\(RFC822\\.SIZE (\\d+) .*"), lines.get(0));
            long size = Long.parseLong(lines.get(0).replaceAll(".*RFC822\\.SIZE (\\d+) .*", "$1"));
            assertTrue(size > delivered.length() && size < delivered.length() + 500, "the message and its trace headers: " + size);
            assertEquals("Subject: large delivery", lines.get(1));
        }
        assertEquals(0, temporaryFiles(), "temporary files are deleted once their command is handled");
    }

    @Test
    void aPartOfALargeMultipartMessageIsFetchedAndSearchedFromItsFile() throws Exception {
        String attachment = message("inner", SIZE).substring(("Subject: inner\r\nFrom: big@example.org\r\n\r\n").length())
                + "needle-at-the-end";
        String mail = "Subject: with attachment\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"
                + "--b0\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                + "--b0\r\nContent-Type: application/octet-stream\r\n\r\n" + attachment + "\r\n--b0--\r\n";
        try (LineClient c = LineClient.imap("bob")) {
            c.timeout(60_000);
            c.send("C1 CREATE INBOX.parts");
            c.readUntil("C1 ");
            c.sendRaw("A1 APPEND INBOX.parts {" + mail.length() + "+}\r\n" + mail + "\r\n");
            assertTrue(c.readUntil("A1 ").startsWith("A1 OK"));
            c.send("S1 EXAMINE INBOX.parts");
            c.readUntil("S1 OK");
            c.send("F1 FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[2]<3000000.20>)");
            assertEquals(List.of("* 1 FETCH (BODY[1] {12}", "see attached BODY[2.MIME] {42}",
                    "Content-Type: application/octet-stream", "", " BODY[2]<3000000> {20}",
                    attachment.substring(3_000_000, 3_000_020) + ")", "F1 OK Completed"), c.answer("F1"));
            c.send("F2 FETCH 1 BODY.PEEK[2]");
            assertEquals("* 1 FETCH (BODY[2] {" + attachment.length() + "}", c.read());
            StringBuilder fetched = new StringBuilder();
            while (fetched.length() < attachment.length()) {
                String line = c.read();
                fetched.append(line);
                if (fetched.length() < attachment.length()) {
                    fetched.append("\r\n");
                }
            }
            assertEquals(attachment + ")", fetched.toString(), "the part, streamed from the file");
            assertEquals("F2 OK Completed", c.read());
            c.send("S2 SEARCH BODY needle-at-the-end");
            assertEquals(List.of("* SEARCH 1", "S2 OK Completed"), c.answer("S2"));
            c.send("S3 SEARCH BODY \"with attachment\"");
            assertEquals(List.of("* SEARCH", "S3 OK Completed"), c.answer("S3"), "BODY leaves the header out");
            c.send("S4 SEARCH TEXT \"with attachment\"");
            assertEquals(List.of("* SEARCH 1", "S4 OK Completed"), c.answer("S4"));
            c.send("D1 DELETE INBOX.parts");
            c.readUntil("D1 ");
        }
    }

    @Test
    void aClientThatDisconnectsMidLiteralLeavesNoFileAndNoMessage() throws Exception {
        try (LineClient c = LineClient.imap("bob")) {
            c.sendRaw("A1 APPEND INBOX {" + SIZE + "+}\r\n" + "z".repeat(SIZE / 2));
            Thread.sleep(500);
            assertEquals(1, temporaryFiles(), "half the literal is on disk");
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (temporaryFiles() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, temporaryFiles(), "gone with the connection");
        try (LineClient c = LineClient.imap("bob")) {
            c.send("S1 STATUS INBOX (MESSAGES)");
            String status = c.readUntil("* STATUS");
            c.send("S2 EXAMINE INBOX");
            c.readUntil("S2 OK");
            c.send("S3 SEARCH TEXT zzzzzzzzzz");
            assertEquals(List.of("* SEARCH", "S3 OK Completed"), c.answer("S3"), "no half message: " + status);
        }
    }
}
