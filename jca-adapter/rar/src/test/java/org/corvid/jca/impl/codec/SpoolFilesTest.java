package org.corvid.jca.impl.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.corvid.jca.impl.codec.CodecTestSupport.TestLimits;
import org.junit.jupiter.api.io.TempDir;

/** Literals and LMTP messages above the spool threshold go to temporary files, and never outlive their command. */
class SpoolFilesTest {
    @TempDir
    Path data;

    @BeforeEach
    void smallThreshold() {
        System.setProperty("corvid.data.dir", data.toString());
        System.setProperty("corvid.literal.spool-threshold", "16");
    }

    @AfterEach
    void reset() {
        System.clearProperty("corvid.data.dir");
        System.clearProperty("corvid.literal.spool-threshold");
    }

    private long filesLeft() throws IOException {
        Path dir = SpoolFiles.directory();
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void aLargeLiteralArrivesAsAFileAndReleaseDeletesIt() throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel(new TaggedRequestDecoder(new TestLimits(100, 1000, 2000), "go"));
        CodecTestSupport.write(channel, "A1 APPEND INBOX {40+}\r\n" + "0123456789".repeat(2));
        assertEquals(1, filesLeft(), "written as it arrives");
        CodecTestSupport.write(channel, "0123456789".repeat(2) + " {3+}\r\nabc\r\n");
        TaggedRequest r = channel.readInbound();
        Value.SpooledLiteral big = assertInstanceOf(Value.SpooledLiteral.class, r.args().get(1));
        assertEquals(40, big.size());
        assertEquals("0123456789".repeat(4), Files.readString(big.file()));
        assertNull(big.asString(), "not a string");
        assertInstanceOf(Value.Literal.class, r.args().get(2), "small literals stay in memory");
        SpoolFiles.release(r);
        assertEquals(0, filesLeft());
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionClosedMidLiteralLeavesNoFile() throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel(new TaggedRequestDecoder(new TestLimits(100, 1000, 2000), "go"));
        CodecTestSupport.write(channel, "A1 APPEND INBOX {400+}\r\n" + "x".repeat(100));
        assertEquals(1, filesLeft());
        channel.close();
        assertEquals(0, filesLeft());
    }

    @Test
    void aRejectedCommandDropsItsSpooledLiteral() throws IOException {
        EmbeddedChannel channel = new EmbeddedChannel(new TaggedRequestDecoder(new TestLimits(100, 1000, 2000), "go"));
        CodecTestSupport.write(channel, "A1 APPEND INBOX {40+}\r\n" + "y".repeat(40) + " (\"unclosed\r\n");
        assertInstanceOf(DecodeError.class, channel.readInbound());
        assertEquals(0, filesLeft());
        channel.finishAndReleaseAll();
    }

    @Test
    void aLargeLmtpMessageArrivesAsAFile() throws IOException {
        LineRequestDecoder decoder = new LineRequestDecoder(new TestLimits(100, 1000, 2000));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        decoder.expectMessage(1000);
        CodecTestSupport.write(channel, "Subject: big\r\n\r\n..line one\r\nline two\r\n.\r\n");
        MessageData m = channel.readInbound();
        assertFalse(m.tooBig());
        assertNull(m.data());
        assertEquals("Subject: big\r\n\r\n.line one\r\nline two\r\n", Files.readString(m.file(), StandardCharsets.UTF_8));
        Files.delete(m.file());

        decoder.expectMessage(30);
        CodecTestSupport.write(channel, "x".repeat(25) + "\r\n" + "y".repeat(25) + "\r\n");
        assertEquals(0, filesLeft(), "over the limit: the file is dropped at once");
        CodecTestSupport.write(channel, ".\r\n");
        MessageData tooBig = channel.readInbound();
        assertTrue(tooBig.tooBig());
        channel.finishAndReleaseAll();
    }
}
