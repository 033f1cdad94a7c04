package org.corvid.jca.api;

import java.net.InetSocketAddress;
import java.time.Duration;
import org.wildfly.security.auth.server.SecurityIdentity;

/**
 * The adapter's side of one client connection, handed to every command handler. Writes are queued in
 * order and flushed when the handler returns; they may come from any thread (e.g. pushes while idling).
 */
public interface Connection {
    /** Short id for logs, e.g. {@code imap-1f}. */
    String id();

    Protocol protocol();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    SessionState state();

    void setState(SessionState state);

    /**
     * Per-connection state kept between commands (e.g. the selected mailbox); beans are stateless per
     * command. Thread-safe; gone with the connection, when values that are {@link AutoCloseable} (e.g. a proxy's
     * connection to a backend) are closed.
     */
    java.util.Map<String, Object> attributes();

    /** The authenticated user, or null. */
    String user();

    /**
     * Records a successful authentication: later deliveries run as {@code identity}, the state becomes
     * {@link SessionState#AUTHENTICATED} and the larger post-authentication line/literal limits apply.
     */
    void authenticated(String user, SecurityIdentity identity);

    /**
     * Undoes {@link #authenticated} (IMAP {@code UNAUTHENTICATE}, RFC 8437): later deliveries run
     * unauthenticated, the state becomes {@link SessionState#NOT_AUTHENTICATED}, and every attribute is
     * removed ({@link AutoCloseable} ones closed: a selected mailbox, a proxy's backend connections).
     */
    void unauthenticated();

    /** True once TLS is active on this connection. */
    boolean isSecure();

    /** True if TLS is configured and not yet active (STARTTLS may be offered). */
    boolean isTlsAvailable();

    /** Writes one protocol line; CRLF is appended. */
    void write(String line);

    /** Writes bytes exactly as given, no CRLF added (e.g. a message inside an IMAP literal), in order with lines. */
    void writeRaw(byte[] bytes);

    /** Writes {@code line} after {@code delay}; the next command is not processed before then. */
    void writeLater(String line, Duration delay);

    /**
     * Sends {@code continuationLine} (IMAP: {@code "+ " + challenge}; MUPDATE, as Cyrus: the bare challenge)
     * and delivers the client's next line, read raw, to the same handler as the same request with that line
     * appended as a last argument (SASL exchanges).
     */
    void continueWith(String continuationLine);

    /**
     * Sends {@code reply} (LMTP: {@code 354 ...}) and reads a message terminated by a line with a single
     * {@code .} (dot-stuffing undone), then delivers the same command again with
     * {@link LineRequest#message()} set. A message over {@code maxBytes} is read to its end and dropped
     * ({@link LineRequest#messageTooBig()}); the connection stays usable.
     */
    void receiveMessage(String reply, long maxBytes);

    /**
     * Starts TLS once the lines written so far are flushed; anything the client pipelined is discarded. Lines
     * written after this call, in the same command, go out over TLS once the handshake is done (MUPDATE
     * repeats its banner there).
     */
    void startTls();

    /**
     * Reserves this command's answer at its place in the output and lets the connection go on to its next
     * command before the answer is known (a MUPDATE write waiting for its group commit, so a connection's
     * pipelined writes can share one commit). Everything written after this call, by later commands or
     * pushes, waits behind the answer until {@link DeferredReply#complete} is called, from any thread. A
     * connection has at most a bounded number of answers outstanding; past that its next command waits.
     */
    DeferredReply deferReply();

    /** A command's answer that is written later, in its place (see {@link #deferReply()}). */
    interface DeferredReply {
        /** Writes {@code line} (CRLF appended) in its place; only the first call counts. */
        void complete(String line);
    }

    /**
     * Bytes written to this connection that the client has not taken yet (batched here or queued in the socket's
     * outbound buffer): how far a slow reader lags behind, e.g. an UPDATE stream.
     */
    long pendingOutputBytes();

    /**
     * Hands this connection over to {@code target}: what was written so far goes out first, then every byte
     * from the client goes to {@code target} and every byte back to the client, unparsed (TLS, if active, still
     * ends here), until either side closes. No more commands reach the bean. Returns once connected; throws
     * (and the connection stays as it was) if {@code target} cannot be reached within {@code connectTimeout}.
     */
    void relayTo(InetSocketAddress target, Duration connectTimeout) throws java.io.IOException;

    /** Where {@link #relayTo} sent this connection, or null. */
    InetSocketAddress relayedTo();

    /** Flushes what was written and closes the connection. */
    void close();
}
