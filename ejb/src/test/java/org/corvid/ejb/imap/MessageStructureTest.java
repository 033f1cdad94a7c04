package org.corvid.ejb.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ENVELOPE and BODYSTRUCTURE as RFC 9051 7.5.2 spells them, for a multipart message with an attachment. */
class MessageStructureTest {
    private static final String MESSAGE = String.join("\r\n",
            "Date: Mon, 7 Feb 1994 21:52:25 -0800",
            "From: Fred Foobar <foobar@Blurdybloop.example>",
            "Subject: afternoon meeting",
            "To: mooch@owatagu.siam.edu.example, \"Group\": a@b.example;",
            "Message-Id: <B27397-0100000@Blurdybloop.example>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"XX\"",
            "",
            "preamble",
            "--XX",
            "Content-Type: text/plain; charset=UTF-8",
            "",
            "Hello Joe, do you think we can meet at 3:30?",
            "Line two",
            "--XX",
            "Content-Type: application/pdf; name=\"a.pdf\"",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"a.pdf\"",
            "",
            "JVBERi0x",
            "--XX--",
            "");

    private static byte[] bytes() {
        return MESSAGE.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void envelope() {
        assertEquals("(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"afternoon meeting\" "
                + "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) "
                + "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) "
                + "((\"Fred Foobar\" NIL \"foobar\" \"Blurdybloop.example\")) "
                + "((NIL NIL \"mooch\" \"owatagu.siam.edu.example\")(NIL NIL \"Group\" NIL)(NIL NIL \"a\" \"b.example\")(NIL NIL NIL NIL)) "
                + "NIL NIL NIL \"<B27397-0100000@Blurdybloop.example>\")", MessageStructure.envelope(bytes()));
    }

    @Test
    void bodystructureAndBody() {
        assertEquals("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 54 2 NIL NIL NIL NIL)"
                + "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 8 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL NIL)"
                + " \"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL)", MessageStructure.bodystructure(bytes(), true));
        assertEquals("((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 54 2)"
                + "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 8) \"MIXED\")",
                MessageStructure.bodystructure(bytes(), false));
    }

    private static String section(String section) {
        return new String(MimeSections.resolve(bytes(), section), StandardCharsets.UTF_8);
    }

    @Test
    void partSections() {
        assertEquals("Hello Joe, do you think we can meet at 3:30?\r\nLine two", section("1"));
        assertEquals("Content-Type: text/plain; charset=UTF-8\r\n\r\n", section("1.MIME"));
        assertEquals("JVBERi0x", section("2"));
        assertEquals("", section("3"), "no such part");
        assertEquals("", section("0"), "parts count from 1");
        assertEquals("", section("1.1"), "a text part has no subparts");
        assertEquals("Subject: afternoon meeting\r\n\r\n", section("HEADER.FIELDS (SUBJECT)"));
    }

    @Test
    void sectionsInsideAnEncapsulatedMessage() {
        String outer = String.join("\r\n", "Subject: fwd", "Content-Type: multipart/mixed; boundary=b1", "", "--b1",
                "Content-Type: text/plain", "", "see below", "--b1", "Content-Type: message/rfc822", "", MESSAGE, "--b1--", "");
        byte[] b = outer.getBytes(StandardCharsets.UTF_8);
        assertEquals("Subject: afternoon meeting\r\n\r\n", new String(MimeSections.resolve(b, "2.HEADER.FIELDS (SUBJECT)"), StandardCharsets.UTF_8));
        assertEquals("JVBERi0x", new String(MimeSections.resolve(b, "2.2"), StandardCharsets.UTF_8));
        assertEquals("see below", new String(MimeSections.resolve(b, "1"), StandardCharsets.UTF_8));
    }

    @Test
    void headerFieldsAreFoundInAnyCaseUnfoldedAndOnlyInTheHeader() {
        byte[] m = ("Subject-Extra: no\r\nsubject : Re: a\r\n\tfolded \u00e9t\u00e9\r\nFrom: x@y\n"
                + "\r\nSubject: in the body\r\n").getBytes(StandardCharsets.UTF_8);
        assertEquals("Re: a folded \u00e9t\u00e9", MessageStructure.header(m, "SUBJECT"));
        assertEquals("x@y", MessageStructure.header(m, "from"));
        assertNull(MessageStructure.header(m, "To"));
        assertNull(MessageStructure.header("Subject: x".getBytes(StandardCharsets.UTF_8), "Subject-Extra"));
        assertEquals("x", MessageStructure.header("Subject: x".getBytes(StandardCharsets.UTF_8), "Subject"));
        assertEquals("", MessageStructure.header("Subject:\r\n\r\n".getBytes(StandardCharsets.UTF_8), "Subject"));
    }

    @Test
    void aPartWithoutHeaderLinesAndAnUnterminatedMultipart() {
        byte[] m = ("Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n\r\nno header here\r\n--q\r\n"
                + "Content-Type: text/plain\r\n\r\ncut short").getBytes(StandardCharsets.UTF_8);
        assertEquals("no header here", new String(MimeSections.resolve(m, "1"), StandardCharsets.UTF_8));
        assertEquals("\r\n", new String(MimeSections.resolve(m, "1.MIME"), StandardCharsets.UTF_8));
        assertEquals("cut short", new String(MimeSections.resolve(m, "2"), StandardCharsets.UTF_8));
    }

    @Test
    void locatingAnEarlyPartReadsOnlyAsFarAsItsEnd() throws java.io.IOException {
        byte[] big = new byte[8 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'A');
        byte[] head = ("Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n"
                + "first\r\n--XX\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[head.length + big.length];
        System.arraycopy(head, 0, m, 0, head.length);
        System.arraycopy(big, 0, m, head.length, big.length);
        long[] read = {0};
        MimeSections.Source counting = offset -> new java.io.FilterInputStream(
                new java.io.ByteArrayInputStream(m, (int) offset, m.length - (int) offset)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
                int n = super.read(b, off, len);
                read[0] += Math.max(0, n);
                return n;
            }
        };
        MimeSections.Range first = MimeSections.locate(counting, m.length, "1");
        assertEquals("first", new String(m, (int) first.start(), (int) first.length(), StandardCharsets.US_ASCII));
        assertEquals(true, read[0] < 1024 * 1024, "read " + read[0] + " bytes to find part 1");
        MimeSections.Range second = MimeSections.locate(counting, m.length, "2");
        assertEquals(big.length, second.length(), "the unterminated last part runs to the end");
    }
}
