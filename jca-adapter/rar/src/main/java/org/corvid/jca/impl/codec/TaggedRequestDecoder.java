package org.corvid.jca.impl.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import org.corvid.jca.api.TaggedRequest;
import org.corvid.jca.api.Value;
import org.corvid.jca.impl.codec.TaggedLineParser.LiteralMarker;
import org.corvid.jca.impl.codec.TaggedLineParser.SyntaxError;

/**
 * Frames IMAP (RFC 9051 / 3501, with LITERAL+ from RFC 7888) and MUPDATE (RFC 3656) commands.
 *
 * <p>For every client command it emits exactly one of {@link TaggedRequest}, {@link DecodeError} or, after
 * {@link #expectRawLine()}, {@link RawLine}. A bad command never breaks the stream: the decoder answers it
 * with a {@code DecodeError} and carries on with the next line, skipping the bytes of any non-synchronising
 * literal the rejected command announced. Limits ({@link CodecLimits}) are checked before anything is
 * buffered, so one command never holds more than a line, a literal and the command limit.
 *
 * <p>At most one message is emitted per {@code decode} call, so a handler that reacts synchronously (say,
 * to STARTTLS by calling {@link #discardBuffered()}) does so before the next pipelined command is decoded.
 *
 * <p>Not sharable; used only from its channel's event loop.
 */
public final class TaggedRequestDecoder extends ByteToMessageDecoder implements SessionDecoder {

    /** Bytes kept from the end of a discarded line: enough for {@code {9999999999+}} and CR. */
    private static final int TAIL_SIZE = 16;
    /** Bytes looked at to find the tag of a line too long to read. */
    private static final int TAG_PEEK = 256;

    private enum State {
        /** Reading a command line: the first one, or the rest of a command after a literal. */
        LINE,
        /** Copying the bytes of an accepted literal. */
        LITERAL,
        /** Dropping the bytes of a non-synchronising literal of a rejected command. */
        SKIP_LITERAL,
        /** Dropping the rest of a rejected line up to LF, then reporting {@link #pendingError}. */
        DISCARD_LINE
    }

    private final CodecLimits limits;
    private final byte[] continuation;

    private State state = State.LINE;
    private boolean rawLineRequested;
    /** Bytes of the incomplete line at the reader index already searched for LF. */
    private int lineScanned;

    // Limits, read afresh when a command starts.
    private int lineLimit;
    private int literalLimit;
    private long commandLimit;

    // The command being read.
    private boolean inCommand;
    private String tag;
    private String name;
    /** Open lists, innermost first; the last one is the command's argument list. */
    private final Deque<List<Value>> lists = new ArrayDeque<>();
    /** Bytes of the command so far: lines with their line ends, and literals. */
    private long commandSize;

    // LITERAL: in memory, or above SpoolFiles.threshold() in a temporary file
    private byte[] literal;
    private int literalFilled;
    private FileChannel literalChannel;
    private Path literalFile;
    private long literalSize;
    private long literalWritten;

    // SKIP_LITERAL and DISCARD_LINE
    private long skipRemaining;
    private final byte[] tail = new byte[TAIL_SIZE];
    private int tailLength;
    /** Whether the end of the discarded line may announce a literal (not for raw lines). */
    private boolean tailMayAnnounceLiteral;
    private DecodeError pendingError;

    /**
     * @param limits           size limits, read afresh for every command
     * @param continuationText what follows {@code "+ "} when the client may send a synchronising literal
     *                         (IMAP: "Ready for literal data", MUPDATE: "go ahead")
     */
    public TaggedRequestDecoder(CodecLimits limits, String continuationText) {
        this.limits = limits;
        this.continuation = ("+ " + continuationText + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Makes the next complete line be emitted verbatim as a {@link RawLine} (e.g. a SASL response). The
     * line length limit still applies. Call on the event loop, between commands.
     */
    @Override
    public void expectMessage(long maxBytes) {
        throw new UnsupportedOperationException("tagged protocols receive messages as literals");
    }

    @Override
    public void expectRawLine() {
        rawLineRequested = true;
    }

    /**
     * Drops every buffered byte and any partial command, and resets the decoder (e.g. when STARTTLS
     * begins, so nothing sent in clear text before the handshake is ever executed). Call on the event loop.
     */
    @Override
    public void discardBuffered() {
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
        abortCommand();
        state = State.LINE;
        rawLineRequested = false;
        lineScanned = 0;
        pendingError = null;
        skipRemaining = 0;
        tailLength = 0;
    }

    /** Bytes held in the cumulation buffer (for tests). */
    int bufferedBytes() {
        return actualReadableBytes();
    }

    /** Bytes of the command in progress accepted so far (for tests). */
    long commandBytes() {
        return commandSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int before = out.size();
        try {
            while (out.size() == before && in.isReadable() && step(ctx, in, out)) {
                // each step consumes input or changes state; stop after one message
            }
        } catch (RuntimeException e) {
            // Not expected: the parser reports every malformed input as a DecodeError. Never let the
            // stream die on it, though: drop what is buffered and report the command as bad.
            String errorTag = tag;
            in.skipBytes(in.readableBytes());
            discardBuffered();
            out.add(new DecodeError(errorTag, "Internal decoder error", false));
        }
    }

    /** Advances the state machine; returns false when more input is needed. */
    private boolean step(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case LINE:
                return readLine(ctx, in, out);
            case LITERAL:
                readLiteral(in);
                return true;
            case SKIP_LITERAL:
                skipLiteral(in);
                return true;
            case DISCARD_LINE:
                discardLine(in, out);
                return true;
            default:
                throw new IllegalStateException(state.name());
        }
    }

    private boolean readLine(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!inCommand) {
            lineLimit = limits.maxLineLength();
            literalLimit = limits.maxLiteralSize();
            commandLimit = limits.maxCommandSize();
        }
        int lf = Lines.findLineEnd(in, lineLimit, lineScanned);
        if (lf == Lines.INCOMPLETE) {
            lineScanned = in.readableBytes();
            return false;
        }
        lineScanned = 0;
        boolean raw = rawLineRequested && !inCommand;
        if (lf == Lines.TOO_LONG) {
            lineTooLong(in, raw);
            return true;
        }
        int wireLength = lf + 1 - in.readerIndex();
        byte[] line = Lines.readLine(in, lf);
        if (raw) {
            rawLineRequested = false;
            out.add(new RawLine(new String(line, StandardCharsets.UTF_8)));
        } else {
            commandLine(ctx, line, wireLength, out);
        }
        return true;
    }

    /** Starts discarding a line over the limit; the error is reported once its LF is seen. */
    private void lineTooLong(ByteBuf in, boolean raw) {
        String errorTag;
        if (raw) {
            rawLineRequested = false;
            errorTag = null;
        } else if (inCommand) {
            errorTag = tag;
        } else {
            byte[] start = new byte[Math.min(in.readableBytes(), TAG_PEEK)];
            in.getBytes(in.readerIndex(), start);
            errorTag = TaggedLineParser.leadingTag(start);
        }
        abortCommand();
        discardRestOfLine(new DecodeError(errorTag, "Line too long", true), !raw);
    }

    /** Parses one complete line of a command (the first, or one following a literal). */
    private void commandLine(ChannelHandlerContext ctx, byte[] line, int wireLength, List<Object> out) {
        boolean first = !inCommand;
        if (first) {
            if (TaggedLineParser.isBlank(line)) {
                return; // many clients send empty lines; ignore them
            }
            inCommand = true;
            commandSize = 0;
            lists.push(new ArrayList<>());
        }
        commandSize += wireLength;
        TaggedLineParser parser = new TaggedLineParser(line);
        try {
            if (first) {
                tag = parser.tag();
                name = parser.commandName();
            }
            if (commandSize > commandLimit) {
                throw new SyntaxError("Command too long", true);
            }
            LiteralMarker marker = parser.arguments(lists);
            if (marker == null) {
                out.add(new TaggedRequest(tag, name, lists.getLast()));
                forgetCommand();
            } else {
                startLiteral(ctx, marker, line, out);
            }
        } catch (SyntaxError e) {
            rejectCommand(new DecodeError(tag, e.getMessage(), e.tooBig()), line, out);
        }
    }

    /** Accepts the literal announced at the end of {@code line} if it fits, else rejects the command. */
    private void startLiteral(ChannelHandlerContext ctx, LiteralMarker marker, byte[] line, List<Object> out) {
        long size = marker.size();
        if (size > literalLimit || commandSize + size > commandLimit) {
            // No "+" for a synchronising literal: the client will not send it.
            rejectCommand(new DecodeError(tag, "Literal too big", true), line, out);
            return;
        }
        commandSize += size;
        if (marker.sync()) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(continuation));
        }
        if (size > SpoolFiles.threshold()) {
            literalFile = SpoolFiles.newFile();
            literalChannel = SpoolFiles.create(literalFile);
            literalSize = size;
            literalWritten = 0;
        } else {
            literal = new byte[(int) size];
            literalFilled = 0;
        }
        if (size == 0) {
            endLiteral();
        } else {
            state = State.LITERAL;
        }
    }

    private void readLiteral(ByteBuf in) {
        if (literalChannel != null) {
            int n = (int) Math.min(in.readableBytes(), literalSize - literalWritten);
            try {
                while (n > 0) {
                    int written = in.readBytes(literalChannel, literalWritten, n);
                    literalWritten += written;
                    n -= written;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // reported as a bad command; abortCommand deletes the file
            }
            if (literalWritten == literalSize) {
                endLiteral();
            }
            return;
        }
        int n = Math.min(in.readableBytes(), literal.length - literalFilled);
        in.readBytes(literal, literalFilled, n);
        literalFilled += n;
        if (literalFilled == literal.length) {
            endLiteral();
        }
    }

    /** Adds the complete literal to the innermost list; the command goes on on the following line. */
    private void endLiteral() {
        if (literalChannel != null) {
            SpoolFiles.close(literalChannel);
            lists.peek().add(new Value.SpooledLiteral(literalFile, literalSize));
            literalChannel = null;
            literalFile = null;
        } else {
            lists.peek().add(new Value.Literal(literal));
            literal = null;
        }
        state = State.LINE;
    }

    /** The connection is gone: a partial or unsent command's temporary files go too. */
    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        abortCommand();
    }

    /**
     * Ends the current command with {@code error}. If its last line announced a non-synchronising
     * literal, the client sends it regardless: skip it and the rest of the command first, and report the
     * error after. A synchronising literal is never sent, as no "+" was.
     */
    private void rejectCommand(DecodeError error, byte[] line, List<Object> out) {
        abortCommand();
        LiteralMarker marker = LiteralMarker.trailing(line, line.length);
        if (marker != null && !marker.sync()) {
            pendingError = error;
            tailMayAnnounceLiteral = true;
            startSkipping(marker.size());
        } else {
            out.add(error);
        }
    }

    private void startSkipping(long size) {
        skipRemaining = size;
        if (size == 0) {
            discardRestOfLine(pendingError, true);
        } else {
            state = State.SKIP_LITERAL;
        }
    }

    private void skipLiteral(ByteBuf in) {
        int n = (int) Math.min(in.readableBytes(), skipRemaining);
        in.skipBytes(n);
        skipRemaining -= n;
        if (skipRemaining == 0) {
            discardRestOfLine(pendingError, true);
        }
    }

    private void discardRestOfLine(DecodeError error, boolean literalAware) {
        pendingError = error;
        tailMayAnnounceLiteral = literalAware;
        tailLength = 0;
        state = State.DISCARD_LINE;
    }

    /** Drops bytes up to the LF, then skips a further non-synchronising literal or reports the error. */
    private void discardLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), Lines.LF);
        int end = lf < 0 ? in.writerIndex() : lf;
        rememberTail(in, start, end);
        if (lf < 0) {
            in.readerIndex(end);
            return;
        }
        in.readerIndex(lf + 1);
        LiteralMarker marker = tailMayAnnounceLiteral ? LiteralMarker.trailing(tail, tailLength) : null;
        if (marker != null && !marker.sync()) {
            startSkipping(marker.size());
            return;
        }
        out.add(pendingError);
        pendingError = null;
        state = State.LINE;
    }

    /** Keeps the last {@link #TAIL_SIZE} bytes of the discarded line, across reads. */
    private void rememberTail(ByteBuf in, int start, int end) {
        int n = end - start;
        if (n >= TAIL_SIZE) {
            in.getBytes(end - TAIL_SIZE, tail, 0, TAIL_SIZE);
            tailLength = TAIL_SIZE;
            return;
        }
        int keep = Math.min(tailLength, TAIL_SIZE - n);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        in.getBytes(start, tail, keep, n);
        tailLength = keep + n;
    }

    /** Drops the command in progress, deleting its temporary files (not the skip/discard state). */
    private void abortCommand() {
        SpoolFiles.close(literalChannel);
        SpoolFiles.delete(literalFile);
        literalChannel = null;
        literalFile = null;
        lists.forEach(SpoolFiles::release);
        forgetCommand();
    }

    /** Forgets the command in progress once it has been handed on (its files now belong to it). */
    private void forgetCommand() {
        inCommand = false;
        tag = null;
        name = null;
        lists.clear();
        literal = null;
        literalFilled = 0;
        commandSize = 0;
    }
}
