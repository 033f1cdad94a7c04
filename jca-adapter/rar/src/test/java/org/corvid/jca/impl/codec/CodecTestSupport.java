package org.corvid.jca.impl.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;

/** Helpers shared by the codec tests. */
final class CodecTestSupport {

    /** Fixed limits; the record's accessors implement the interface. */
    record TestLimits(int maxLineLength, int maxLiteralSize, long maxCommandSize) implements CodecLimits {
    }

    private CodecTestSupport() {
    }

    static void write(EmbeddedChannel channel, String text) {
        write(channel, text.getBytes(StandardCharsets.UTF_8));
    }

    static void write(EmbeddedChannel channel, byte[] bytes) {
        channel.writeInbound(Unpooled.wrappedBuffer(bytes));
    }

    /** Writes {@code bytes} in pieces of the given sizes (cycled; a single write if none). */
    static void writeInPieces(EmbeddedChannel channel, byte[] bytes, List<Integer> pieceSizes, Runnable afterEach) {
        int pos = 0;
        int i = 0;
        while (pos < bytes.length) {
            int size = pieceSizes.isEmpty() ? bytes.length : Math.max(1, pieceSizes.get(i++ % pieceSizes.size()));
            int n = Math.min(size, bytes.length - pos);
            byte[] piece = new byte[n];
            System.arraycopy(bytes, pos, piece, 0, n);
            write(channel, piece);
            pos += n;
            afterEach.run();
        }
    }

    /** All messages decoded so far. */
    static List<Object> inbound(EmbeddedChannel channel) {
        List<Object> messages = new ArrayList<>();
        for (Object m; (m = channel.readInbound()) != null; ) {
            messages.add(m);
        }
        return messages;
    }

    /** Everything the decoder wrote to the client so far, as text. */
    static String outbound(EmbeddedChannel channel) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            text.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        return text.toString();
    }

    /**
     * A comparable form of a decoded message: literals (byte arrays, which records compare by identity)
     * become hex strings.
     */
    static Object normalize(Object message) {
        if (message instanceof TaggedRequest r) {
            return List.of("request", r.tag(), r.name(), normalizeAll(r.args()));
        }
        if (message instanceof Value v) {
            return normalizeValue(v);
        }
        return message;
    }

    static Object normalizeValue(Value value) {
        if (value instanceof Value.Literal l) {
            return List.of("literal", HexFormat.of().formatHex(l.bytes()));
        }
        if (value instanceof Value.ListValue list) {
            return List.of("list", normalizeAll(list.items()));
        }
        return value;
    }

    static List<Object> normalizeAll(List<Value> values) {
        List<Object> result = new ArrayList<>();
        for (Value v : values) {
            result.add(normalizeValue(v));
        }
        return result;
    }

    static Value.Literal literal(String text) {
        return new Value.Literal(text.getBytes(StandardCharsets.UTF_8));
    }

    static Value.Atom atom(String text) {
        return new Value.Atom(text);
    }

    static Value.Quoted quoted(String text) {
        return new Value.Quoted(text);
    }

    static Value.ListValue list(Value... items) {
        return new Value.ListValue(List.of(items));
    }

    static TaggedRequest request(String tag, String name, Value... args) {
        return new TaggedRequest(tag, name, List.of(args));
    }
}
