package org.corvid.jca.impl.mupdate;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/** One pooled, authenticated socket to the master; handles ({@link MupdateConnectionHandle}) borrow it. */
final class MupdateManagedConnection implements ManagedConnection {
    private final MupdateManagedConnectionFactory factory;
    private final MupdateClient client;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final List<MupdateConnectionHandle> handles = new CopyOnWriteArrayList<>();
    private PrintWriter logWriter;

    MupdateManagedConnection(MupdateManagedConnectionFactory factory, MupdateClient client) {
        this.factory = factory;
        this.client = client;
    }

    MupdateManagedConnectionFactory factory() {
        return factory;
    }

    MupdateClient client() {
        return client;
    }

    boolean unusable() {
        return client.unusable();
    }

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) {
        MupdateConnectionHandle h = new MupdateConnectionHandle(this);
        handles.add(h);
        return h;
    }

    @Override
    public void associateConnection(Object connection) {
        MupdateConnectionHandle h = (MupdateConnectionHandle) connection;
        h.associate(this);
        handles.add(h);
    }

    /** The handle was closed by its user: back to the pool. */
    void closed(MupdateConnectionHandle h) {
        handles.remove(h);
        fire(ConnectionEvent.CONNECTION_CLOSED, h, null);
    }

    /** The socket failed under the handle: the pool destroys this connection. */
    void failed(MupdateConnectionHandle h, Exception e) {
        fire(ConnectionEvent.CONNECTION_ERROR_OCCURRED, h, e);
    }

    private void fire(int type, MupdateConnectionHandle h, Exception e) {
        ConnectionEvent event = e == null ? new ConnectionEvent(this, type) : new ConnectionEvent(this, type, e);
        event.setConnectionHandle(h);
        for (ConnectionEventListener l : listeners) {
            switch (type) {
                case ConnectionEvent.CONNECTION_CLOSED -> l.connectionClosed(event);
                default -> l.connectionErrorOccurred(event);
            }
        }
    }

    @Override
    public void cleanup() {
        handles.forEach(MupdateConnectionHandle::invalidate);
        handles.clear();
    }

    @Override
    public void destroy() {
        cleanup();
        client.close();
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
        throw new NotSupportedException("MUPDATE is not transactional");
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException("MUPDATE is not transactional");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "MUPDATE master " + client.master();
            }

            @Override
            public String getEISProductVersion() {
                return "RFC 3656";
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
}
