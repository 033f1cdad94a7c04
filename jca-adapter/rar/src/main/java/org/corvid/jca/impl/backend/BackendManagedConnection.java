package org.corvid.jca.impl.backend;

import jakarta.resource.spi.ConnectionRequestInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.security.auth.Subject;
import org.corvid.jca.impl.OutboundConnection;

/** One pooled socket to a backend; a {@link BackendConnectionHandle} borrows it. */
final class BackendManagedConnection extends OutboundConnection {
    private final BackendManagedConnectionFactory factory;
    private final BackendRequest request;
    private final SocketChannel channel;
    private final BackendPoolStats stats;
    private volatile BackendConnectionHandle handle;
    private boolean lent; // handed out before: no longer fresh
    private boolean destroyed;

    BackendManagedConnection(BackendManagedConnectionFactory factory, BackendRequest request, SocketChannel channel) {
        this.factory = factory;
        this.request = request;
        this.channel = channel;
        this.stats = BackendPoolStats.of(request.protocol());
        stats.created(request);
    }

    BackendRequest request() {
        return request;
    }

    SocketChannel channel() {
        return channel;
    }

    /**
     * Open, blocking, and (idle) with nothing to read: a backend that closed the connection or said something
     * unasked (an autologout {@code BYE}) while it sat in the pool is not handed out again.
     */
    synchronized boolean usable() {
        if (!channel.isOpen() || !channel.isBlocking()) {
            return false;
        }
        if (handle != null) {
            return true;
        }
        try {
            channel.configureBlocking(false);
            int n = channel.read(ByteBuffer.allocate(1));
            channel.configureBlocking(true);
            return n == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized Object getConnection(Subject subject, ConnectionRequestInfo info) {
        BackendConnectionHandle h = new BackendConnectionHandle(this, !lent);
        lent = true;
        if (handle == null) {
            stats.lent(request);
        }
        handle = h;
        return h;
    }

    @Override
    public synchronized void associateConnection(Object connection) {
        BackendConnectionHandle h = (BackendConnectionHandle) connection;
        h.associate(this);
        if (handle == null) {
            stats.lent(request);
        }
        handle = h;
    }

    void closed(BackendConnectionHandle h) {
        release();
        fireClosed(h);
    }

    private synchronized void release() {
        if (handle != null) {
            handle = null;
            stats.returned(request);
        }
    }

    void discarded(BackendConnectionHandle h) {
        fireFailed(h, new IOException("discarded by its user"));
    }

    @Override
    public synchronized void cleanup() {
        if (handle != null) {
            handle.invalidate();
            handle = null;
            stats.returned(request);
        }
    }

    @Override
    public void destroy() {
        cleanup();
        synchronized (this) {
            if (destroyed) {
                return;
            }
            destroyed = true;
        }
        stats.destroyed(request);
        try {
            channel.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    @Override
    protected String eisName() {
        return "backend " + request;
    }

    @Override
    protected String eisVersion() {
        return request.protocol();
    }

    BackendManagedConnectionFactory factory() {
        return factory;
    }
}
