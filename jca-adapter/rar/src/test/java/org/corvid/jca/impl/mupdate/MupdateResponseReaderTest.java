package org.corvid.jca.impl.mupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.junit.jupiter.api.Test;

/** Responses as Cyrus 3.6's master sends them (from ../shared/reference/cyrus-3.6-murder/mupdate-update-stream.txt). */
class MupdateResponseReaderTest {
    private static MupdateResponseReader reader(String wire) {
        return new MupdateResponseReader(new BufferedInputStream(
                new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8))), 256, 1024);
    }

    @Test
    void cyrusBannerAndLogin() throws Exception {
        MupdateResponseReader r = reader("* AUTH \"PLAIN\" \"LOGIN\"\r\n* COMPRESS \"DEFLATE\"\r\n* PARTIAL-UPDATE\r\n"
                + "* OK MUPDATE \"mupdate-master\" \"Cyrus IMAP\" \"3.6.1\" \"(master)\"\r\nA01 OK \"Authenticated\"\r\n");
        assertEquals(new MupdateResponse("*", "AUTH", List.of("\"PLAIN\" \"LOGIN\"")), r.next());
        assertEquals("COMPRESS", r.next().keyword());
        assertEquals(new MupdateResponse("*", "PARTIAL-UPDATE", List.of("")), r.next());
        assertEquals("OK", r.next().keyword());
        assertEquals(new MupdateResponse("A01", "OK", List.of("Authenticated")), r.next());
    }

    @Test
    void recordsWithLiteralsAsCyrusStreamsThem() throws Exception {
        MupdateResponseReader r = reader("U01 MAILBOX {10+}\r\nuser.carol {16+}\r\nbackend2!default {31+}\r\n"
                + "carol\tlrswipkxtecdan\tanyone\tlr\t\r\n"
                + "U01 RESERVE {8+}\r\nuser.bob {16+}\r\nbackend1!default\r\n"
                + "U01 DELETE {14+}\r\nuser.carol.sub\r\n"
                + "U01 OK \"streaming starts\"\r\n");
        assertEquals(new MupdateEntry(MupdateEntry.Kind.MAILBOX, "user.carol", "backend2!default",
                "carol\tlrswipkxtecdan\tanyone\tlr\t"), MupdateClient.entry(r.next()));
        assertEquals(new MupdateEntry(MupdateEntry.Kind.RESERVE, "user.bob", "backend1!default", ""),
                MupdateClient.entry(r.next()));
        assertEquals(new MupdateEntry(MupdateEntry.Kind.DELETE, "user.carol.sub", null, null),
                MupdateClient.entry(r.next()));
        MupdateResponse ok = r.next();
        assertEquals("U01", ok.tag());
        assertEquals("streaming starts", ok.text());
    }

    @Test
    void quotedStringsAndAtomsAndSyncLiterals() throws Exception {
        MupdateResponseReader r = reader("F1 MAILBOX \"a \\\"b\\\"\" {5}\r\nb1!p1 x\r\nF1 NO mailbox doesn't exist\r\n");
        assertEquals(new MupdateResponse("F1", "MAILBOX", List.of("a \"b\"", "b1!p1", "x")), r.next());
        assertEquals(new MupdateResponse("F1", "NO", List.of("mailbox doesn't exist")), r.next());
    }

    @Test
    void boundsAndTruncation() {
        assertThrows(ProtocolException.class, () -> reader("U01 MAILBOX {2000+}\r\n").next());
        assertThrows(ProtocolException.class, () -> reader("U01 " + "x".repeat(300) + "\r\n").next());
        assertThrows(ProtocolException.class, () -> reader("U01 MAILBOX {1x}\r\n").next());
        assertThrows(EOFException.class, () -> reader("U01 MAILBOX {10+}\r\nuser").next());
        assertThrows(EOFException.class, () -> reader("U01 OK").next());
        assertThrows(ProtocolException.class, () -> MupdateClient.entry(reader("U01 MAILBOX {1}\r\na\r\n").next()));
    }
}
