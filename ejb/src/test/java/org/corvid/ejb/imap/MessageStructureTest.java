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
}
