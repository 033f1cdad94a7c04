package org.corvid.ejb.move;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The frames a move sends its destination for one batch of messages: per message its UID, MODSEQ, internal date,
 * flags and size, then its bytes; a UID of -1 ends the batch. Binary, so a message's bytes go as they are, with
 * no encoding; the reader bounds every length.
 */
public final class MoveWire {
    /** Largest flags text accepted (the {@code message.flags} column). */
    public static final int MAX_FLAGS = 4000;
    private static final long END = -1;

    private MoveWire() {
    }

    /** One message's metadata, as it is on the source. */
    public record Header(long uid, long modseq, OffsetDateTime internalDate, String flags, long size) {
    }

    /** Writes one message: {@code body} must give exactly {@code h.size()} bytes. */
    public static void write(DataOutputStream out, Header h, InputStream body) throws IOException {
        out.writeLong(h.uid());
        out.writeLong(h.modseq());
        out.writeLong(h.internalDate().toEpochSecond());
        out.writeInt(h.internalDate().getOffset().getTotalSeconds());
        out.writeUTF(h.flags());
        out.writeLong(h.size());
        long copied = body.transferTo(out);
        if (copied != h.size()) {
            throw new IOException("message " + h.uid() + " has " + copied + " bytes, not " + h.size());
        }
    }

    public static void end(DataOutputStream out) throws IOException {
        out.writeLong(END);
    }

    /** Receives the messages of one batch. */
    public interface Receiver {
        void message(Header h, byte[] content) throws IOException;
    }

    /**
     * Reads a batch up to its end mark, handing each message to {@code receiver}; a message over
     * {@code maxMessage} bytes, flags over {@link #MAX_FLAGS} or a stream cut short fail with an IOException.
     * Returns the number of messages read.
     */
    public static int read(InputStream in, long maxMessage, Receiver receiver) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int n = 0;
        while (true) {
            long uid = data.readLong();
            if (uid == END) {
                return n;
            }
            long modseq = data.readLong();
            long seconds = data.readLong();
            int offset = data.readInt();
            String flags = data.readUTF();
            long size = data.readLong();
            if (uid <= 0 || modseq <= 0 || size < 0 || size > maxMessage || flags.length() > MAX_FLAGS
                    || Math.abs(offset) > 18 * 3600) {
                throw new IOException("bad message frame (uid " + uid + ", size " + size + ")");
            }
            byte[] content = data.readNBytes((int) size);
            if (content.length != size) {
                throw new EOFException("message " + uid + " cut short");
            }
            OffsetDateTime date = OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds), ZoneOffset.ofTotalSeconds(offset));
            receiver.message(new Header(uid, modseq, date, flags, size), content);
            n++;
        }
    }

    /** The stream to write frames to (buffered by the caller). */
    public static DataOutputStream output(OutputStream out) {
        return new DataOutputStream(out);
    }
}
