package org.corvid.jca.impl.codec;

import static org.corvid.jca.impl.codec.CodecTestSupport.atom;
import static org.corvid.jca.impl.codec.CodecTestSupport.inbound;
import static org.corvid.jca.impl.codec.CodecTestSupport.list;
import static org.corvid.jca.impl.codec.CodecTestSupport.literal;
import static org.corvid.jca.impl.codec.CodecTestSupport.normalize;
import static org.corvid.jca.impl.codec.CodecTestSupport.outbound;
import static org.corvid.jca.impl.codec.CodecTestSupport.quoted;
import static org.corvid.jca.impl.codec.CodecTestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.corvid.jca.impl.codec.CodecTestSupport.TestLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaggedRequestDecoderTest {

    private static final String READY = "+ Ready for literal data\r\n";
    private static final TaggedRequest NEXT = request("Z9", "NOOP");

    private TaggedRequestDecoder decoder = new TaggedRequestDecoder(new TestLimits(100, 50, 1000), "Ready for literal data");
    private EmbeddedChannel channel = new EmbeddedChannel(decoder);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void useLimits(int line, int literal, long command) {
        channel.finishAndReleaseAll();
        decoder = new TaggedRequestDecoder(new TestLimits(line, literal, command), "Ready for literal data");
        channel = new EmbeddedChannel(decoder);
    }

    private void write(String text) {
        CodecTestSupport.write(channel, text);
    }

    /** Asserts the messages decoded so far, comparing literals by content. */
    private void assertDecoded(Object... expected) {
        assertEquals(Stream.of(expected).map(CodecTestSupport::normalize).toList(),
                inbound(channel).stream().map(CodecTestSupport::normalize).toList());
    }

    @Test
    void simpleCommand() {
        write("a1 noop\r\n");
        assertDecoded(request("a1", "NOOP"));
        assertEquals("", outbound(channel));
    }

    @Test
    void atomArguments() {
        write("A2 UID FETCH 1:*,5 (FLAGS \\Seen)\r\n");
        assertDecoded(request("A2", "UID", atom("FETCH"), atom("1:*,5"), list(atom("FLAGS"), atom("\\Seen"))));
    }

    @Test
    void listWildcardsAndBrackets() {
        write("A3 LIST \"\" %/*\r\n");
        write("A4 SELECT foo]bar\r\n");
        assertDecoded(request("A3", "LIST", quoted(""), atom("%/*")), request("A4", "SELECT", atom("foo]bar")));
    }

    @Test
    void quotedWithEscapes() {
        write("A3 LOGIN \"fred \\\"the\\\" user\" \"pa\\\\ss\"\r\n");
        assertDecoded(request("A3", "LOGIN", quoted("fred \"the\" user"), quoted("pa\\ss")));
    }

    @Test
    void quotedUtf8() {
        write("A3 CREATE \"Entwürfe/日本\"\r\n");
        assertDecoded(request("A3", "CREATE", quoted("Entwürfe/日本")));
    }

    @Test
    void synchronisingLiteral() {
        write("A4 LOGIN {5}\r\n");
        assertEquals(READY, outbound(channel));
        assertDecoded();
        write("alice \"pw\"\r\n");
        assertDecoded(request("A4", "LOGIN", literal("alice"), quoted("pw")));
    }

    @Test
    void mupdateContinuationText() {
        channel.finishAndReleaseAll();
        decoder = new TaggedRequestDecoder(new TestLimits(100, 50, 1000), "go ahead");
        channel = new EmbeddedChannel(decoder);
        write("X1 RESERVE {4}\r\n");
        assertEquals("+ go ahead\r\n", outbound(channel));
        write("user \"host\"\r\n");
        assertDecoded(request("X1", "RESERVE", literal("user"), quoted("host")));
    }

    @Test
    void nonSynchronisingLiteralSendsNoContinuation() {
        write("A5 APPEND INBOX {12+}\r\nhello\r\nworld\r\n\r\n");
        assertEquals("", outbound(channel));
        assertDecoded(request("A5", "APPEND", atom("INBOX"), literal("hello\r\nworld")));
    }

    @Test
    void twoLiteralsInOneCommand() {
        write("A6 LOGIN {5}\r\nalice {6}\r\nsecret\r\n");
        assertEquals(READY + READY, outbound(channel));
        assertDecoded(request("A6", "LOGIN", literal("alice"), literal("secret")));
    }

    @Test
    void literal8AndEmptyLiteral() {
        write("A7 APPEND INBOX ~{3}\r\na\0c {0}\r\n\r\n");
        assertEquals(READY + READY, outbound(channel));
        assertDecoded(request("A7", "APPEND", atom("INBOX"),
                new Value.Literal(new byte[] {'a', 0, 'c'}), new Value.Literal(new byte[0])));
    }

    @Test
    void literalInsideList() {
        write("A8 SEARCH (SUBJECT {3+}\r\nfoo FROM \"x\") ALL\r\n");
        assertDecoded(request("A8", "SEARCH", list(atom("SUBJECT"), literal("foo"), atom("FROM"), quoted("x")),
                atom("ALL")));
    }

    @Test
    void nestedLists() {
        write("A9 X (a (b (c d) ()) e) f\r\n");
        assertDecoded(request("A9", "X",
                list(atom("a"), list(atom("b"), list(atom("c"), atom("d")), list()), atom("e")), atom("f")));
    }

    @Test
    void nil() {
        write("B1 X NIL nil \"NIL\" (NIL) NILS\r\n");
        assertDecoded(request("B1", "X", Value.Nil.NIL, Value.Nil.NIL, quoted("NIL"), list(Value.Nil.NIL),
                atom("NILS")));
    }

    @Test
    void sectionSpecIsOneAtom() {
        write("B2 FETCH 1 (BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100> UID) BODY[]\r\n");
        assertDecoded(request("B2", "FETCH", atom("1"),
                list(atom("BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>"), atom("UID")), atom("BODY[]")));
    }

    @Test
    void sectionSpecWithQuotedBracket() {
        write("B3 FETCH 1 BODY[HEADER.FIELDS (\"X-]\")]\r\n");
        assertDecoded(request("B3", "FETCH", atom("1"), atom("BODY[HEADER.FIELDS (\"X-]\")]")));
    }

    @Test
    void commandSplitIntoSingleBytes() {
        byte[] bytes = "C1 LOGIN {5}\r\nalice (\"pw\" BODY[1.2]<0.9>)\r\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            CodecTestSupport.write(channel, new byte[] {b});
        }
        assertEquals(READY, outbound(channel));
        assertDecoded(request("C1", "LOGIN", literal("alice"), list(quoted("pw"), atom("BODY[1.2]<0.9>"))));
    }

    @Test
    void pipelinedCommandsKeepOrder() {
        write("C1 NOOP\r\nC2 SELECT INBOX\r\nC3 APPEND INBOX {3+}\r\nabc\r\nC4 LOGOUT\r\n");
        assertDecoded(request("C1", "NOOP"), request("C2", "SELECT", atom("INBOX")),
                request("C3", "APPEND", atom("INBOX"), literal("abc")), request("C4", "LOGOUT"));
    }

    @Test
    void emptyLinesExtraSpacesAndBareLf() {
        write("\r\n\n   \r\nD1   SELECT   INBOX  \nD2 NOOP\r\n");
        assertDecoded(request("D1", "SELECT", atom("INBOX")), request("D2", "NOOP"));
    }

    static Stream<Arguments> malformed() {
        String deep = "(".repeat(33) + ")".repeat(33);
        return Stream.of(
                Arguments.of("A1 LOGIN \"unterminated\r\n", "A1"),
                Arguments.of("A1 FETCH 1 (FLAGS\r\n", "A1"),
                Arguments.of("A1 FETCH 1 FLAGS)\r\n", "A1"),
                Arguments.of("A1 APPEND INBOX {abc}\r\n", "A1"),
                Arguments.of("A1 APPEND INBOX {}\r\n", "A1"),
                Arguments.of("A1 APPEND INBOX {12345678901}\r\n", "A1"),
                Arguments.of("A1 APPEND INBOX {12345678901+}\r\n", "A1"),
                Arguments.of("A1 APPEND INBOX {5} x\r\n", "A1"),
                Arguments.of("A1 APPEND INBOX x{5}\r\n", "A1"),
                Arguments.of("A1 NOOP \0\r\n", "A1"),
                Arguments.of("A1 NO\0OP\r\n", "A1"),
                Arguments.of("A1\r\n", "A1"),
                Arguments.of("A1    \r\n", "A1"),
                Arguments.of("+1 NOOP\r\n", null),
                Arguments.of("\"A1\" NOOP\r\n", null),
                Arguments.of("A\0 NOOP\r\n", null),
                Arguments.of("* NOOP\r\n", null),
                Arguments.of("A1 NO\"OP\r\n", "A1"),
                Arguments.of("A1 X \"a\\qb\"\r\n", "A1"),
                Arguments.of("A1 X \"a\"b\r\n", "A1"),
                Arguments.of("A1 X (a)(b)\r\n", "A1"),
                Arguments.of("A1 X \"a\rb\"\r\n", "A1"),
                Arguments.of("A1 X BODY[HEADER\r\n", "A1"),
                Arguments.of("A1 X caf\u00e9\r\n", "A1"),
                Arguments.of("A1 X a\tb\r\n", "A1"),
                Arguments.of("A1 X " + deep + "\r\n", "A1"),
                Arguments.of("A1 X {3+}\r\nabc\"b\"\r\n", "A1"),
                Arguments.of("A1 X ({3+}\r\nabc\r\n", "A1"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedCommandIsReportedAndNextCommandDecodes(String input, String tag) {
        write(input);
        write("Z9 NOOP\r\n");
        List<Object> messages = inbound(channel);
        assertEquals(2, messages.size(), messages::toString);
        DecodeError error = assertInstanceOf(DecodeError.class, messages.get(0));
        assertEquals(tag, error.tag());
        assertEquals(false, error.tooBig());
        assertEquals(NEXT, messages.get(1));
    }

    @Test
    void listsNestedToTheLimitAreAccepted() {
        write("A1 X " + "(".repeat(32) + ")".repeat(32) + "\r\n");
        Value v = list();
        for (int i = 1; i < 32; i++) {
            v = list(v);
        }
        assertDecoded(request("A1", "X", v));
    }

    @Test
    void syntaxErrorBeforeSynchronisingLiteralSendsNoContinuation() {
        write("A1 X \"a\"b {5}\r\n");
        assertEquals("", outbound(channel));
        write("Z9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Missing space between arguments", false), NEXT);
    }

    @Test
    void syntaxErrorBeforeNonSynchronisingLiteralSkipsIt() {
        write("A1 X \"a\"b {9+}\r\nZ0 NOOP\r\n rest of line\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Missing space between arguments", false), NEXT);
    }

    @Test
    void tooLongLine() {
        write("A1 X " + "a".repeat(200) + "\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Line too long", true), NEXT);
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() {
        String line = "A1 X " + "a".repeat(95);
        write(line + "\r\n" + line + "\n");
        TaggedRequest expected = request("A1", "X", atom("a".repeat(95)));
        assertDecoded(expected, expected);
        write(line + "b\n");
        assertDecoded(new DecodeError("A1", "Line too long", true));
    }

    @Test
    void tooLongLineIsNotBuffered() {
        write("A1 X ");
        for (int i = 0; i < 100; i++) {
            write("a".repeat(50));
            assertTrue(decoder.bufferedBytes() <= 101, () -> "buffered " + decoder.bufferedBytes());
        }
        write("\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Line too long", true), NEXT);
    }

    @Test
    void tooLongLineWithoutReadableTag() {
        write("a".repeat(300) + "\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError(null, "Line too long", true), NEXT);
    }

    @Test
    void tooLongContinuationLineKeepsTag() {
        write("A1 X {3+}\r\nabc " + "b".repeat(200) + "\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Line too long", true), NEXT);
    }

    @Test
    void tooLongLineEndingInNonSynchronisingLiteralSkipsIt() {
        write("A1 APPEND " + "x".repeat(200) + " {10+}\r\nZ0 NOOP\r\n\r\n\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Line too long", true), NEXT);
    }

    @Test
    void tooBigSynchronisingLiteral() {
        write("A1 APPEND INBOX {51}\r\n");
        assertEquals("", outbound(channel));
        write("Z9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Literal too big", true), NEXT);
    }

    @Test
    void tooBigNonSynchronisingLiteralIsSkipped() {
        String body = "Z0 LOGOUT\r\n" + "x".repeat(49) + "\r\nZ1 {5}\r\n";
        write("A1 APPEND INBOX (\\Seen) {" + body.length() + "+}\r\n" + body + " more {4+}\r\n");
        assertDecoded();
        write("Z2 \r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Literal too big", true), NEXT);
        assertEquals("", outbound(channel));
    }

    @Test
    void literalThatWouldExceedCommandSize() {
        useLimits(100, 50, 120);
        write("A1 X {40}\r\n" + "a".repeat(40) + " {40}\r\n" + "b".repeat(40) + " {40}\r\n");
        assertEquals(READY + READY, outbound(channel));
        write("Z9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Literal too big", true), NEXT);
    }

    @Test
    void linesThatExceedCommandSize() {
        useLimits(100, 50, 60);
        write("A1 X {3+}\r\nabc " + "c".repeat(60) + "\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("A1", "Command too long", true), NEXT);
    }

    @Test
    void limitsAreReadForEveryCommand() {
        int[] literalLimit = {10};
        CodecLimits limits = new CodecLimits() {
            public int maxLineLength() {
                return 100;
            }

            public int maxLiteralSize() {
                return literalLimit[0];
            }

            public long maxCommandSize() {
                return 1000;
            }
        };
        channel.finishAndReleaseAll();
        decoder = new TaggedRequestDecoder(limits, "Ready for literal data");
        channel = new EmbeddedChannel(decoder);
        write("A1 X {20}\r\n");
        literalLimit[0] = 20;
        write("A2 X {20}\r\n" + "d".repeat(20) + "\r\n");
        assertEquals(READY, outbound(channel));
        assertDecoded(new DecodeError("A1", "Literal too big", true), request("A2", "X", literal("d".repeat(20))));
    }

    @Test
    void rawLineMode() {
        write("A1 AUTHENTICATE PLAIN\r\n");
        assertDecoded(request("A1", "AUTHENTICATE", atom("PLAIN")));
        decoder.expectRawLine();
        write("AGFs aWNl (\"{5}\r\n");
        decoder.expectRawLine();
        write("\r\nA2 NOOP\r\n");
        assertDecoded(new RawLine("AGFs aWNl (\"{5}"), new RawLine(""), request("A2", "NOOP"));
        assertEquals("", outbound(channel));
    }

    @Test
    void tooLongRawLine() {
        decoder.expectRawLine();
        write("A1 " + "x".repeat(200) + " {5+}\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError(null, "Line too long", true), NEXT);
    }

    @Test
    void discardBufferedDropsPartialLine() {
        write("A1 NOOP");
        decoder.discardBuffered();
        assertEquals(0, decoder.bufferedBytes());
        write("\r\nZ9 NOOP\r\n");
        assertDecoded(NEXT);
    }

    @Test
    void discardBufferedDropsPartialCommand() {
        write("A1 LOGIN {10}\r\nali");
        assertEquals(READY, outbound(channel));
        decoder.discardBuffered();
        write("Z9 NOOP\r\n");
        assertDecoded(NEXT);
    }

    @Test
    void discardBufferedOnStartTlsDropsPipelinedCommands() {
        channel.finishAndReleaseAll();
        decoder = new TaggedRequestDecoder(new TestLimits(100, 50, 1000), "Ready for literal data");
        channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof TaggedRequest r && r.name().equals("STARTTLS")) {
                    decoder.discardBuffered();
                }
                ctx.fireChannelRead(msg);
            }
        });
        write("A1 STARTTLS\r\nA2 LOGIN evil pw\r\nA3 NO");
        assertDecoded(request("A1", "STARTTLS"));
        write("OP\r\nZ9 NOOP\r\n");
        assertDecoded(new DecodeError("OP", "Missing command name", false), NEXT);
    }
}
