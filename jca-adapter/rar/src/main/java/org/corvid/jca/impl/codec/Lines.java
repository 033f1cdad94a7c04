package org.corvid.jca.impl.codec;

import io.netty.buffer.ByteBuf;

/** Line framing shared by the decoders: a line ends at LF, optionally preceded by CR. */
final class Lines {

    static final byte CR = '\r';
    static final byte LF = '\n';

    /** {@link #findLineEnd} result: no LF yet, but the line may still fit. */
    static final int INCOMPLETE = -1;
    /** {@link #findLineEnd} result: the line is (or will be) longer than allowed. */
    static final int TOO_LONG = -2;

    private Lines() {
    }

    /**
     * Finds the LF that ends the line starting at the reader index, looking no further than a line of
     * {@code maxContent} bytes plus CRLF could reach.
     *
     * @param scanned how many bytes after the reader index are already known to hold no LF (so a line
     *                trickling in byte by byte is not rescanned from its start on every read)
     * @return the absolute index of the LF, {@link #INCOMPLETE} or {@link #TOO_LONG}
     */
    static int findLineEnd(ByteBuf in, int maxContent, int scanned) {
        int readable = in.readableBytes();
        long window = (long) maxContent + 2; // content, CR, LF
        int scan = (int) Math.min(readable, window);
        int from = Math.min(scanned, scan);
        int lf = in.indexOf(in.readerIndex() + from, in.readerIndex() + scan, LF);
        if (lf < 0) {
            return readable < window ? INCOMPLETE : TOO_LONG;
        }
        // A bare LF right after maxContent + 1 bytes: the last content byte was not a CR.
        return contentLength(in, lf) > maxContent ? TOO_LONG : lf;
    }

    /** Length of the line ending at {@code lf}, without its CR and LF. */
    static int contentLength(ByteBuf in, int lf) {
        int length = lf - in.readerIndex();
        return length > 0 && in.getByte(lf - 1) == CR ? length - 1 : length;
    }

    /** Reads the line ending at {@code lf} and consumes its line end too. */
    static byte[] readLine(ByteBuf in, int lf) {
        byte[] line = new byte[contentLength(in, lf)];
        in.readBytes(line);
        in.readerIndex(lf + 1);
        return line;
    }

    /**
     * Discards bytes up to and including the next LF.
     *
     * @return true if the LF was found (the line is over), false if everything readable was discarded
     */
    static boolean discardLine(ByteBuf in) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), LF);
        in.readerIndex(lf < 0 ? in.writerIndex() : lf + 1);
        return lf >= 0;
    }
}
