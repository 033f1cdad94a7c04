package org.corvid.jca.impl.codec;

import static org.corvid.jca.impl.codec.CodecTestSupport.inbound;
import static org.corvid.jca.impl.codec.CodecTestSupport.normalize;
import static org.corvid.jca.impl.codec.CodecTestSupport.outbound;
import static org.corvid.jca.impl.codec.CodecTestSupport.writeInPieces;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.corvid.jca.impl.codec.CodecTestSupport.TestLimits;

class TaggedRequestDecoderPropertiesTest {

    /** Small limits, so that arbitrary input actually hits them. */
    private static final TestLimits SMALL = new TestLimits(64, 128, 1024);
    private static final long MAX_BUFFERED = SMALL.maxLineLength() + SMALL.maxLiteralSize() + 64;

    /** Limits no generated well-formed command reaches. */
    private static final TestLimits LARGE = new TestLimits(1_000_000, 10_000, 10_000_000);

    /** Written by the fragment property: calls a decoder method instead of writing. */
    private static final String RAW = "<expectRawLine>";
    private static final String DISCARD = "<discardBuffered>";

    private static final String[] FRAGMENTS = {
        "A1", "t.2", " ", "  ", "NOOP", "fetch", "APPEND", "LOGIN", "NIL", "\"", "\\", "{", "}", "+", "~",
        "(", ")", "[", "]", "BODY[", "<0.10>", "\r", "\n", "\r\n", "0", "1", "3", "5", "9", "12", "64", "130",
        "{3}\r\n", "{5+}\r\n", "{0}\r\n", "~{2}\r\n", "{200+}\r\n", "\"a b\"", "é", "\0", "\t", "%", "*",
        "x".repeat(70), RAW, DISCARD
    };

    @Property
    void arbitraryBytesNeverBreakTheDecoder(@ForAll @Size(max = 800) byte[] data,
            @ForAll @Size(max = 8) List<@IntRange(min = 1, max = 200) Integer> pieces) {
        TaggedRequestDecoder decoder = new TaggedRequestDecoder(SMALL, "go ahead");
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            writeChecked(channel, decoder, data, pieces);
            checkMessages(inbound(channel));
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Property
    void grammarFragmentsNeverBreakTheDecoder(@ForAll("fragments") List<String> fragments,
            @ForAll @Size(max = 8) List<@IntRange(min = 1, max = 50) Integer> pieces) {
        TaggedRequestDecoder decoder = new TaggedRequestDecoder(SMALL, "go ahead");
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            for (String fragment : fragments) {
                if (fragment.equals(RAW) || fragment.equals(DISCARD)) {
                    writeChecked(channel, decoder, pending.toByteArray(), pieces);
                    pending.reset();
                    if (fragment.equals(RAW)) {
                        decoder.expectRawLine();
                    } else {
                        decoder.discardBuffered();
                    }
                } else {
                    pending.writeBytes(fragment.getBytes(StandardCharsets.UTF_8));
                }
            }
            writeChecked(channel, decoder, pending.toByteArray(), pieces);
            checkMessages(inbound(channel));
            outbound(channel);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Property
    void wellFormedCommandsRoundTripWhateverTheSplit(@ForAll("commands") Command command,
            @ForAll @Size(max = 8) List<@IntRange(min = 1, max = 20) Integer> pieces) {
        TaggedRequestDecoder decoder = new TaggedRequestDecoder(LARGE, "go ahead");
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(command.wire());
            wire.writeBytes(command.wire()); // pipelined: the decoder resets between commands
            wire.writeBytes("Z9 NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            writeInPieces(channel, wire.toByteArray(), pieces, () -> { });

            List<Object> expected = List.of(command.expected(), command.expected(),
                    normalize(new TaggedRequest("Z9", "NOOP", List.of())));
            assertEquals(expected, inbound(channel).stream().map(CodecTestSupport::normalize).toList());
            assertEquals("+ go ahead\r\n".repeat(2 * command.syncLiterals()), outbound(channel));
            assertEquals(0, decoder.bufferedBytes());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static void writeChecked(EmbeddedChannel channel, TaggedRequestDecoder decoder, byte[] data,
            List<Integer> pieces) {
        writeInPieces(channel, data, pieces, () -> {
            assertTrue(decoder.bufferedBytes() <= MAX_BUFFERED, () -> "buffered " + decoder.bufferedBytes());
            assertTrue(decoder.commandBytes() <= SMALL.maxCommandSize(), () -> "command " + decoder.commandBytes());
        });
    }

    private static void checkMessages(List<Object> messages) {
        for (Object message : messages) {
            assertTrue(message instanceof TaggedRequest || message instanceof DecodeError
                    || message instanceof RawLine, () -> "unexpected " + message);
            if (message instanceof DecodeError error) {
                assertNotEquals("Internal decoder error", error.message());
            }
        }
    }

    /** Line starts, mixed in so that many fragment sequences get past the tag and command name. */
    private static final String[] COMMAND_STARTS = {"\r\nA1 X ", "\nB2 APPEND INBOX ", "\r\nC3 LOGIN "};

    @Provide
    Arbitrary<List<String>> fragments() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of(FRAGMENTS)),
                Tuple.of(1, Arbitraries.of(COMMAND_STARTS)))
                .list().ofMaxSize(80);
    }

    // ---- well-formed commands -------------------------------------------------------------------------

    /** A generated command: its bytes, its expected (normalised) decoding and its "+" count. */
    record Command(byte[] wire, Object expected, int syncLiterals) {
    }

    /** One generated argument, same parts. */
    record Arg(byte[] wire, Object expected, int syncLiterals) {
    }

    private static final String TAG_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_!#$&'/:;<=>?@^`|~]";
    private static final String ATOM_CHARS = TAG_CHARS + "*%\\+";

    @Provide
    Arbitrary<Command> commands() {
        Arbitrary<String> tag = Arbitraries.strings().withChars(TAG_CHARS).ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> name = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .ofMinLength(1).ofMaxLength(10);
        Arbitrary<List<Arg>> args = argument(3).list().ofMaxSize(6);
        return Combinators.combine(tag, name, args).as(TaggedRequestDecoderPropertiesTest::command);
    }

    private static Command command(String tag, String name, List<Arg> args) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes((tag + " " + name).getBytes(StandardCharsets.US_ASCII));
        List<Object> expected = new ArrayList<>();
        int sync = 0;
        for (Arg arg : args) {
            wire.write(' ');
            wire.writeBytes(arg.wire());
            expected.add(arg.expected());
            sync += arg.syncLiterals();
        }
        wire.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return new Command(wire.toByteArray(), List.of("request", tag, name.toUpperCase(java.util.Locale.ROOT),
                expected), sync);
    }

    private static Arbitrary<Arg> argument(int depth) {
        List<Arbitrary<Arg>> choices = new ArrayList<>(List.of(atom(), quoted(), literal(), nil(), section()));
        if (depth > 0) {
            choices.add(list(depth - 1));
        }
        return Arbitraries.oneOf(choices);
    }

    private static Arbitrary<Arg> atom() {
        return Arbitraries.strings().withChars(ATOM_CHARS).ofMinLength(1).ofMaxLength(12)
                .map(text -> new Arg(ascii(text),
                        text.equalsIgnoreCase("NIL") ? Value.Nil.NIL : new Value.Atom(text), 0));
    }

    private static Arbitrary<Arg> quoted() {
        return Arbitraries.strings().withCharRange(' ', '~').withChars("äé日\t\u0001").ofMaxLength(20)
                .map(text -> {
                    String escaped = text.replace("\\", "\\\\").replace("\"", "\\\"");
                    return new Arg(("\"" + escaped + "\"").getBytes(StandardCharsets.UTF_8),
                            new Value.Quoted(text), 0);
                });
    }

    private static Arbitrary<Arg> literal() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<Boolean> sync = Arbitraries.of(true, false);
        Arbitrary<Boolean> literal8 = Arbitraries.of(true, false);
        return Combinators.combine(bytes, sync, literal8).as((data, isSync, is8) -> {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(ascii((is8 ? "~" : "") + "{" + data.length + (isSync ? "" : "+") + "}\r\n"));
            wire.writeBytes(data);
            return new Arg(wire.toByteArray(), List.of("literal", HexFormat.of().formatHex(data)), isSync ? 1 : 0);
        });
    }

    private static Arbitrary<Arg> nil() {
        return Arbitraries.of("NIL", "nil", "Nil").map(text -> new Arg(ascii(text), Value.Nil.NIL, 0));
    }

    private static Arbitrary<Arg> section() {
        return Arbitraries.of("BODY[]", "BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>", "BINARY[1.2]",
                "BODY[HEADER.FIELDS.NOT (\"X-]\" Subject)]", "[Gmail]/Sent")
                .map(text -> new Arg(ascii(text), new Value.Atom(text), 0));
    }

    private static Arbitrary<Arg> list(int depth) {
        return argument(depth).list().ofMaxSize(4).map(items -> {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.write('(');
            List<Object> expected = new ArrayList<>();
            int sync = 0;
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) {
                    wire.write(' ');
                }
                wire.writeBytes(items.get(i).wire());
                expected.add(items.get(i).expected());
                sync += items.get(i).syncLiterals();
            }
            wire.write(')');
            return new Arg(wire.toByteArray(), List.of("list", expected), sync);
        });
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
