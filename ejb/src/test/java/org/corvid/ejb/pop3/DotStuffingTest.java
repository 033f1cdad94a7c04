package org.corvid.ejb.pop3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DotStuffingTest {

    /** Feeds {@code message} in chunks of {@code size} bytes, as RETR/TOP stream it. */
    private static String stuff(String message, int bodyLines, int size) {
        DotStuffing s = new DotStuffing(bodyLines);
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length && !s.done(); i += size) {
            byte[] chunk = Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size));
            out.writeBytes(s.feed(chunk, chunk.length));
        }
        out.writeBytes(s.finish());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dotsAtLineStartsAreDoubledAcrossChunkBoundaries() {
        String m = "Subject: x\r\n\r\n.one\r\ntwo.\r\n..three\r\nlast";
        String expected = "Subject: x\r\n\r\n..one\r\ntwo.\r\n...three\r\nlast\r\n";
        for (int size : new int[] {1, 2, 3, 7, 1000}) {
            assertEquals(expected, stuff(m, -1, size), "chunks of " + size);
        }
    }

    @Test
    void topSendsTheHeaderAndTheFirstLinesOfTheBody() {
        String m = "A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n";
        assertEquals("A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n", stuff(m, 2, 3));
        assertEquals("A: 1\r\nB: 2\r\n\r\n", stuff(m, 0, 1));
        DotStuffing s = new DotStuffing(0);
        s.feed("A: 1\r\n\r\nrest".getBytes(StandardCharsets.UTF_8), 14);
        assertTrue(s.done(), "nothing more to read");
    }
}
