package org.corvid.ejb.frontend;

import jakarta.resource.ResourceException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.corvid.jca.api.backend.BackendConnection;
import org.corvid.jca.api.backend.BackendConnectionFactory;

/**
 * A line-oriented client connection to a backend (IMAP, LMTP, POP3): connect and read timeouts, CRLF lines;
 * counted in use in {@link ProxyMetrics} until closed or released.
 */
class BackendSocket implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 120_000;

    private final SocketChannel channel; // blocking, read through streams; non-blocking only while IDLE is relayed
    private final Socket socket;
    protected final Input in; // what the IDLE relay read past a completion goes back here
    protected final OutputStream out;
    protected final ProxyMetrics.Backend metrics;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final BackendConnection connection; // from the adapter's pool (java:/corvid/BackendConnectionFactory)

    BackendSocket(String protocol, String server, String host, int port) throws IOException {
        metrics = ProxyMetrics.of(protocol, server);
        try {
            connection = pool().connect(protocol, host, port);
        } catch (ResourceException e) {
            throw new IOException(e.getMessage(), e);
        }
        channel = connection.channel();
        socket = channel.socket();
        try {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            in = new Input(new Buffered(socket.getInputStream()));
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        } catch (IOException | RuntimeException e) {
            connection.discard();
            throw e;
        }
        metrics.lent();
    }

    private static volatile BackendConnectionFactory pool;

    private static BackendConnectionFactory pool() throws IOException {
        BackendConnectionFactory p = pool;
        if (p == null) {
            try {
                pool = p = InitialContext.doLookup(BackendConnectionFactory.JNDI_NAME);
            } catch (NamingException e) {
                throw new IOException("no backend connection pool at " + BackendConnectionFactory.JNDI_NAME, e);
            }
        }
        return p;
    }

    /** True if the connection was opened for this session (the greeting is to be read), false if pooled. */
    boolean fresh() {
        return connection.fresh();
    }

    /** Sends {@code line} and CRLF, flushed. */
    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** A line with its CRLF, as the backend sent it; at most {@code max} bytes. */
    byte[] rawLine(int max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        for (int c; ; ) {
            c = in.read();
            if (c < 0) {
                throw new IOException("connection closed by the backend");
            }
            if (b.size() >= max) {
                throw new IOException("line from the backend longer than " + max + " bytes");
            }
            b.write(c);
            if (c == '\n') {
                return b.toByteArray();
            }
        }
    }

    /** Read timeout in milliseconds, {@code READ_TIMEOUT_MS} unless changed. */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    static int defaultReadTimeout() {
        return READ_TIMEOUT_MS;
    }

    /** The socket's buffered input, whose read-ahead can be taken without reading the socket. */
    private static final class Buffered extends BufferedInputStream {
        Buffered(InputStream in) {
            super(in);
        }

        synchronized byte[] takeBuffered() {
            byte[] b = java.util.Arrays.copyOfRange(buf, pos, count);
            pos = count;
            return b;
        }
    }

    /** {@link Buffered} with room to put back what the IDLE relay read past a completion. */
    static final class Input extends java.io.PushbackInputStream {
        Input(Buffered in) {
            super(in, 64 * 1024);
        }

        /** Everything read from the socket and not yet consumed (put back, then buffered), without reading more. */
        synchronized byte[] takeBuffered() {
            byte[] back = java.util.Arrays.copyOfRange(buf, pos, buf.length);
            pos = buf.length;
            byte[] ahead = ((Buffered) in).takeBuffered();
            byte[] all = java.util.Arrays.copyOf(back, back.length + ahead.length);
            System.arraycopy(ahead, 0, all, back.length, ahead.length);
            return all;
        }
    }

    /** Puts {@code bytes} back in front of what is read next. */
    void unread(byte[] bytes) throws IOException {
        in.unread(bytes);
    }

    /** The socket's channel, for {@link IdleRelays} (the streams above must be drained before it goes non-blocking). */
    SocketChannel channel() {
        return channel;
    }

    /** The next line without its CRLF; at most {@code max} bytes. */
    String line(int max) throws IOException {
        byte[] bytes = rawLine(max);
        int n = bytes.length - 1; // the LF
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** Closes the connection for good (its state is unknown to the next user). */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            metrics.returned();
            connection.discard();
        }
    }

    /**
     * Gives the connection back to the pool: the caller left it in a state the next session starts from, and
     * nothing the backend sent is unread (else it is closed).
     */
    void release() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        metrics.returned();
        if (in.takeBuffered().length == 0 && channel.isBlocking()) {
            connection.close();
        } else {
            connection.discard();
        }
    }
}
