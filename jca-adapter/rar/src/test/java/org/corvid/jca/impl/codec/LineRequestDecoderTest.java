package org.corvid.jca.impl.codec;

import static org.corvid.jca.impl.codec.CodecTestSupport.inbound;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

import org.corvid.jca.api.LineRequest;
import org.corvid.jca.impl.codec.CodecTestSupport.TestLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineRequestDecoderTest {

    private static final LineRequest NEXT = new LineRequest("NOOP", "");

    private LineRequestDecoder decoder = new LineRequestDecoder(new TestLimits(64, 0, 0));
    private EmbeddedChannel channel = new EmbeddedChannel(decoder);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void write(String text) {
        CodecTestSupport.write(channel, text);
    }

    @Test
    void commandsWithAndWithoutArguments() {
        write("mail FROM:<a@example.org> SIZE=100\r\nquit\r\nRETR 1\n");
        assertEquals(List.of(new LineRequest("MAIL", "FROM:<a@example.org> SIZE=100"), new LineRequest("QUIT", ""),
                new LineRequest("RETR", "1")), inbound(channel));
    }

    @Test
    void argumentsKeptVerbatim() {
        write("USER  fred \t\r\nRCPT TO:<jörg@example.org>\r\nLHLO \r\n");
        assertEquals(List.of(new LineRequest("USER", " fred \t"), new LineRequest("RCPT", "TO:<jörg@example.org>"),
                new LineRequest("LHLO", "")), inbound(channel));
    }

    @Test
    void splitIntoSingleBytesAndPipelined() {
        for (byte b : "NOOP\r\nSTAT\r\nLIST 2\r\n".getBytes(StandardCharsets.UTF_8)) {
            CodecTestSupport.write(channel, new byte[] {b});
        }
        assertEquals(List.of(NEXT, new LineRequest("STAT", ""), new LineRequest("LIST", "2")), inbound(channel));
    }

    @Test
    void emptyLine() {
        write("\r\nNOOP\r\n");
        assertEquals(List.of(new DecodeError(null, "Empty command", false), NEXT), inbound(channel));
    }

    @ParameterizedTest
    @ValueSource(strings = {"NO\0OP", "NOOP \u0001", "DATA\r", " NOOP", "\u007f"})
    void badCharactersOrMissingName(String line) {
        write(line + "\r\nNOOP\r\n");
        List<Object> messages = inbound(channel);
        assertEquals(2, messages.size(), messages::toString);
        DecodeError error = (DecodeError) messages.get(0);
        assertEquals(null, error.tag());
        assertEquals(false, error.tooBig());
        assertEquals(NEXT, messages.get(1));
    }

    @Test
    void tooLongLine() {
        write("RCPT TO:<" + "x".repeat(100));
        assertTrue(decoder.bufferedBytes() <= 66, () -> "buffered " + decoder.bufferedBytes());
        write("x".repeat(1000) + ">\r\nNOOP\r\n");
        assertEquals(List.of(new DecodeError(null, "Line too long", true), NEXT), inbound(channel));
    }

    @Test
    void lineOfExactlyTheLimit() {
        String line = "X " + "y".repeat(62);
        write(line + "\r\n" + line + "\n" + line + "z\n");
        LineRequest ok = new LineRequest("X", "y".repeat(62));
        assertEquals(List.of(ok, ok, new DecodeError(null, "Line too long", true)), inbound(channel));
    }

    @Test
    void rawLine() {
        write("AUTH PLAIN\r\n");
        decoder.expectRawLine();
        write("AGFs\u0001aWNl\r\n");
        decoder.expectRawLine();
        write("\r\nNOOP\r\n");
        assertEquals(List.of(new LineRequest("AUTH", "PLAIN"), new RawLine("AGFs\u0001aWNl"), new RawLine(""), NEXT),
                inbound(channel));
    }

    @Test
    void tooLongRawLine() {
        decoder.expectRawLine();
        write("x".repeat(100) + "\r\nNOOP\r\n");
        assertEquals(List.of(new DecodeError(null, "Line too long", true), NEXT), inbound(channel));
    }

    @Test
    void discardBuffered() {
        write("RSET");
        decoder.discardBuffered();
        assertEquals(0, decoder.bufferedBytes());
        write("\r\nNOOP\r\n");
        assertEquals(List.of(new DecodeError(null, "Empty command", false), NEXT), inbound(channel));
    }

    @Test
    void discardBufferedOnStlsDropsPipelinedCommands() {
        channel.finishAndReleaseAll();
        decoder = new LineRequestDecoder(new TestLimits(64, 0, 0));
        channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LineRequest r && r.name().equals("STLS")) {
                    decoder.discardBuffered();
                }
                ctx.fireChannelRead(msg);
            }
        });
        write("STLS\r\nUSER evil\r\nPASS x\r\n");
        write("NOOP\r\n");
        assertEquals(List.of(new LineRequest("STLS", ""), NEXT), inbound(channel));
    }

    private MessageData readMessage() {
        Object o = channel.readInbound();
        return (MessageData) o;
    }

    @Test
    void messageModeUnstuffsDotsAndEndsAtTheDotLine() {
        decoder.expectMessage(1000);
        write("Subject: x\r\n\r\n..leading dot\r\n.\r\nline .\r\nNOOP\r\n");
        MessageData m = readMessage();
        assertFalse(m.tooBig());
        assertEquals("Subject: x\r\n\r\n.leading dot\r\n", new String(m.data(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(new LineRequest("LINE", "."), channel.readInbound(), "back to commands after the message");
        assertEquals(NEXT, channel.readInbound());
    }

    @Test
    void messageModeBytewiseWithLongLinesAndBareLf() {
        decoder.expectMessage(100_000);
        String longLine = "x".repeat(20_000);
        byte[] wire = ("a\n" + longLine + "\r\n.x\r\n.\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < wire.length; i += 777) {
            CodecTestSupport.write(channel, java.util.Arrays.copyOfRange(wire, i, Math.min(wire.length, i + 777)));
        }
        MessageData m = readMessage();
        assertEquals("a\n" + longLine + "\r\nx\r\n", new String(m.data(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aMessageOverTheLimitIsReadToItsEndAndDropped() {
        decoder.expectMessage(10);
        write("0123456789\r\nmore\r\n.\r\nNOOP\r\n");
        MessageData m = readMessage();
        assertTrue(m.tooBig());
        assertEquals(0, m.data().length);
        assertEquals(NEXT, channel.readInbound());
    }
}
