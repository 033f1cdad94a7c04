package org.corvid.jca.impl.codec;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import org.corvid.jca.api.LineRequest;

/**
 * Frames the commands of line protocols (LMTP, POP3): each line (CRLF or bare LF) becomes a
 * {@link LineRequest} {@code NAME rest}, or a {@link DecodeError}, or after {@link #expectRawLine()} a
 * {@link RawLine}. Message bodies (LMTP DATA) are not handled here.
 *
 * <p>At most one message is emitted per {@code decode} call, so a handler that reacts synchronously (to
 * STLS / STARTTLS by calling {@link #discardBuffered()}) does so before the next pipelined line is decoded.
 *
 * <p>Not sharable; used only from its channel's event loop.
 */
public final class LineRequestDecoder extends ByteToMessageDecoder implements SessionDecoder {

    private enum State {
        /** Reading a line. */
        LINE,
        /** Dropping the rest of a line over the limit, then reporting it. */
        DISCARD_LINE,
        /** Reading a message up to its "." line. */
        MESSAGE
    }

    /** Longest partial line kept while waiting for its end in a message; longer ones are taken as they come. */
    private static final int MESSAGE_CHUNK = 8192;
    private java.io.ByteArrayOutputStream message;
    private long messageMax;
    private boolean messageTooBig;
    /** Past {@link SpoolFiles#threshold()} the message goes on in this file instead of {@link #message}. */
    private java.nio.channels.FileChannel messageChannel;
    private java.nio.file.Path messageFile;
    private long messageSize;
    private boolean atLineStart;

    private final CodecLimits limits;
    private State state = State.LINE;
    private boolean rawLineRequested;
    /** Bytes of the incomplete line at the reader index already searched for LF. */
    private int lineScanned;

    /** @param limits size limits; only {@link CodecLimits#maxLineLength()} applies, read for every line */
    public LineRequestDecoder(CodecLimits limits) {
        this.limits = limits;
    }

    /** Makes the next complete line be emitted verbatim as a {@link RawLine}. Call on the event loop. */
    @Override
    public void expectRawLine() {
        rawLineRequested = true;
    }

    @Override
    public void expectMessage(long maxBytes) {
        state = State.MESSAGE;
        message = new java.io.ByteArrayOutputStream(8192);
        messageMax = maxBytes;
        messageTooBig = false;
        messageSize = 0;
        atLineStart = true;
    }

    /** Drops every buffered byte and any partial line, and resets the decoder. Call on the event loop. */
    @Override
    public void discardBuffered() {
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
        state = State.LINE;
        rawLineRequested = false;
        lineScanned = 0;
        message = null;
        dropMessageFile();
    }

    /** Bytes held in the cumulation buffer (for tests). */
    int bufferedBytes() {
        return actualReadableBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = out.size();
        while (out.size() == before && in.isReadable() && step(in, out)) {
            // each step consumes input; stop after one message
        }
    }

    private boolean step(ByteBuf in, List<Object> out) {
        if (state == State.MESSAGE) {
            return messageStep(in, out);
        }
        if (state == State.DISCARD_LINE) {
            if (Lines.discardLine(in)) {
                state = State.LINE;
                out.add(new DecodeError(null, "Line too long", true));
            }
            return true;
        }
        int lf = Lines.findLineEnd(in, limits.maxLineLength(), lineScanned);
        if (lf == Lines.INCOMPLETE) {
            lineScanned = in.readableBytes();
            return false;
        }
        lineScanned = 0;
        boolean raw = rawLineRequested;
        rawLineRequested = false;
        if (lf == Lines.TOO_LONG) {
            state = State.DISCARD_LINE;
            return true;
        }
        byte[] line = Lines.readLine(in, lf);
        out.add(raw ? new RawLine(new String(line, StandardCharsets.UTF_8)) : parse(line));
        return true;
    }

    /** One line (or a chunk of a long one) of a message; the "." line ends it. */
    private boolean messageStep(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() <= MESSAGE_CHUNK) {
                return false; // wait for the line's end: it might be the "." line
            }
            keep(in, in.readableBytes());
            atLineStart = false;
            return true;
        }
        int length = lf - start + 1;
        if (atLineStart && in.getByte(start) == '.') {
            if (length == 2 || length == 3 && in.getByte(start + 1) == '\r') {
                in.skipBytes(length);
                if (messageChannel != null) {
                    SpoolFiles.close(messageChannel);
                    out.add(new MessageData(null, false, messageFile));
                    messageChannel = null;
                    messageFile = null;
                } else {
                    out.add(new MessageData(messageTooBig ? new byte[0] : message.toByteArray(), messageTooBig, null));
                }
                message = null;
                state = State.LINE;
                return true;
            }
            in.skipBytes(1); // dot-stuffing
            length--;
        }
        keep(in, length);
        atLineStart = true;
        return true;
    }

    private void keep(ByteBuf in, int length) {
        if (messageTooBig || messageSize + length > messageMax) {
            messageTooBig = true;
            message.reset();
            dropMessageFile();
            in.skipBytes(length);
            return;
        }
        messageSize += length;
        if (messageChannel == null && messageSize > SpoolFiles.threshold()) {
            messageFile = SpoolFiles.newFile();
            messageChannel = SpoolFiles.create(messageFile);
            writeToFile(Unpooled.wrappedBuffer(message.toByteArray()), message.size());
            message.reset();
        }
        if (messageChannel != null) {
            writeToFile(in, length);
        } else {
            byte[] chunk = new byte[length];
            in.readBytes(chunk);
            message.writeBytes(chunk);
        }
    }

    private void writeToFile(ByteBuf in, int length) {
        try {
            while (length > 0) {
                length -= in.readBytes(messageChannel, length);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void dropMessageFile() {
        SpoolFiles.close(messageChannel);
        SpoolFiles.delete(messageFile);
        messageChannel = null;
        messageFile = null;
    }

    /** The connection is gone: a message being received goes too. */
    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        dropMessageFile();
    }

    /** {@code NAME[ SP arguments]}; the name is upper-cased, the arguments kept as sent. */
    private static Object parse(byte[] line) {
        if (line.length == 0) {
            return new DecodeError(null, "Empty command", false);
        }
        for (byte b : line) {
            if (b >= 0 && b < 0x20 && b != '\t' || b == 0x7f) {
                return new DecodeError(null, "Invalid character in command", false);
            }
        }
        String text = new String(line, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        String name = space < 0 ? text : text.substring(0, space);
        if (name.isEmpty()) {
            return new DecodeError(null, "Missing command name", false);
        }
        String arguments = space < 0 ? "" : text.substring(space + 1);
        return new LineRequest(name.toUpperCase(Locale.ROOT), arguments);
    }
}
