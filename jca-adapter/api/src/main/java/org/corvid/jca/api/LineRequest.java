package org.corvid.jca.api;

/**
 * A command of a line protocol (LMTP, POP3): {@code NAME argument-text}; for a command that asked for a
 * message ({@link Connection#receiveMessage}), delivered again with the message.
 *
 * @param name          the command word, upper-cased
 * @param arguments     the rest of the line after one space, possibly empty
 * @param message       the message received after the command (dot-unstuffed, without the final
 *                      {@code .} line), or null
 * @param messageTooBig true if the message exceeded the limit: {@code message} is then empty
 * @param messageFile   instead of {@code message}, a message larger than {@code corvid.literal.spool-threshold}
 *                      in a temporary file (deleted by the adapter once the command has been handled), or null
 */
public record LineRequest(String name, String arguments, byte[] message, boolean messageTooBig,
                          java.nio.file.Path messageFile) {
    public LineRequest(String name, String arguments) {
        this(name, arguments, null, false, null);
    }

    public LineRequest(String name, String arguments, byte[] message, boolean messageTooBig) {
        this(name, arguments, message, messageTooBig, null);
    }

    /** True if this is the command delivered again with its message (in memory, in a file, or too big). */
    public boolean hasMessage() {
        return message != null || messageFile != null || messageTooBig;
    }
}
