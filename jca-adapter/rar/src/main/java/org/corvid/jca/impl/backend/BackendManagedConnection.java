package org.corvid.jca.impl.backend;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/** One pooled socket to a backend; a {@link BackendConnectionHandle} borrows it. */
final class BackendManagedConnection implements ManagedConnection {
    private final BackendManagedConnectionFactory factory;
    private final BackendRequest request;
    private final SocketChannel channel;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final BackendPoolStats stats;
    private volatile BackendConnectionHandle handle;
    private boolean lent; // handed out before: no longer fresh
    private boolean destroyed;
    private PrintWriter logWriter;

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
        fire(ConnectionEvent.CONNECTION_CLOSED, h, null);
    }

    private synchronized void release() {
        if (handle != null) {
            handle = null;
            stats.returned(request);
        }
    }

    void discarded(BackendConnectionHandle h) {
        fire(ConnectionEvent.CONNECTION_ERROR_OCCURRED, h, new IOException("discarded by its user"));
    }

    private void fire(int type, BackendConnectionHandle h, Exception e) {
        ConnectionEvent event = e == null ? new ConnectionEvent(this, type) : new ConnectionEvent(this, type, e);
        event.setConnectionHandle(h);
        for (ConnectionEventListener l : listeners) {
            if (type == ConnectionEvent.CONNECTION_CLOSED) {
                l.connectionClosed(event);
            } else {
                l.connectionErrorOccurred(event);
            }
        }
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
    public void addConnectionEventListener(ConnectionEventListener l) {
        listeners.add(l);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener l) {
        listeners.remove(l);
    }

    @Override
    public XAResource getXAResource() throws ResourceException {
        throw new NotSupportedException("backend connections are not transactional");
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException("backend connections are not transactional");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "backend " + request;
            }

            @Override
            public String getEISProductVersion() {
                return request.protocol();
            }

            @Override
            public int getMaxConnections() {
                return 0;
            }

            @Override
            public String getUserName() {
                return null;
            }
        };
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    BackendManagedConnectionFactory factory() {
        return factory;
    }
}
