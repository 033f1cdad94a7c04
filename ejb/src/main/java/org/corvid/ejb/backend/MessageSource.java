package org.corvid.ejb.backend;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a message to store: in memory, or in a file (a large APPEND literal or LMTP message the adapter
 * spooled to disk), optionally preceded by a few bytes (LMTP's trace headers). Read as a stream, so a large
 * message is never held whole in memory on its way to the spool.
 */
public final class MessageSource {
    private final byte[] prefix;
    private final byte[] bytes;
    private final Path file;
    private final long bodySize;

    private MessageSource(byte[] prefix, byte[] bytes, Path file, long bodySize) {
        this.prefix = prefix;
        this.bytes = bytes;
        this.file = file;
        this.bodySize = bodySize;
    }

    public static MessageSource of(byte[] bytes) {
        return new MessageSource(new byte[0], bytes, null, bytes.length);
    }

    public static MessageSource of(Path file, long size) {
        return new MessageSource(new byte[0], null, file, size);
    }

    /** The same message with {@code prefix} in front (e.g. Return-Path and Received). */
    public MessageSource withPrefix(byte[] prefix) {
        return new MessageSource(prefix, bytes, file, bodySize);
    }

    public long size() {
        return prefix.length + bodySize;
    }

    public InputStream open() {
        try {
            InputStream body = bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
            return new SequenceInputStream(new ByteArrayInputStream(prefix), body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Writes the whole message to {@code out}: one gathering write when in memory, a file-to-file copy else. */
    public void writeTo(FileChannel out) throws IOException {
        ByteBuffer head = ByteBuffer.wrap(prefix);
        if (bytes != null) {
            ByteBuffer[] parts = {head, ByteBuffer.wrap(bytes)};
            while (head.hasRemaining() || parts[1].hasRemaining()) { // an empty body still has its prefix
                out.write(parts);
            }
            return;
        }
        while (head.hasRemaining()) {
            out.write(head);
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long done = 0;
            while (done < bodySize) {
                long n = in.transferTo(done, bodySize - done, out);
                if (n <= 0) {
                    throw new IOException(file + " is shorter than " + bodySize + " bytes");
                }
                done += n;
            }
        }
    }

    /** The first {@code max} bytes (fewer if the message is shorter). */
    public byte[] head(int max) {
        try (InputStream in = open()) {
            return in.readNBytes(max);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
