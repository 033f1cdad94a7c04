package org.corvid.ejb.pop3;

import java.io.ByteArrayOutputStream;

/**
 * POP3 multi-line answers (RFC 1939 3): a message fed chunk by chunk comes out with a {@code .} doubled at the
 * start of each line (also the LMTP proxy's DATA); for TOP, only the header and the first {@code bodyLines} lines of the body. Kept as a
 * state machine so a large message is never held whole.
 */
public final class DotStuffing {
    private final int bodyLines;
    private int bodyLinesLeft;
    private boolean lineStart = true;
    private boolean inBody;
    private boolean blank = true; // only CRs so far on this line

    /** @param bodyLines lines of the body to send (TOP), or -1 for all (RETR) */
    public DotStuffing(int bodyLines) {
        this.bodyLines = bodyLines;
        this.bodyLinesLeft = bodyLines;
    }

    /** True once TOP has sent its lines: the rest need not be read. */
    boolean done() {
        return inBody && bodyLines >= 0 && bodyLinesLeft == 0;
    }

    /** The next {@code n} bytes of the message, stuffed. */
    public byte[] feed(byte[] chunk, int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(n + 16);
        for (int i = 0; i < n && !done(); i++) {
            byte b = chunk[i];
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
            if (b == '\n') {
                if (!inBody && blank) {
                    inBody = true; // the blank line ends the header
                } else if (inBody) {
                    bodyLinesLeft--;
                }
                blank = true;
            } else if (b != '\r') {
                blank = false;
            }
        }
        return out.toByteArray();
    }

    /** CRLF if the message did not end with one, so the terminating {@code .} is on a line of its own. */
    public byte[] finish() {
        return lineStart ? new byte[0] : new byte[] {'\r', '\n'};
    }
}
