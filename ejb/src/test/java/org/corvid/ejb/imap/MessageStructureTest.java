package org.corvid.ejb.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
