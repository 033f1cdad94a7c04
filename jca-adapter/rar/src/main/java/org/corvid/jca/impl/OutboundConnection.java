package org.corvid.jca.impl;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAResource;

/**
 * What the adapter's pooled, non-transactional outbound connections (the MUPDATE client, the frontends'
 * backend connections) share: the pool's event listeners, told when a handle is closed (back to the pool) or
 * failed (destroyed), and the connector boilerplate.
 */
public abstract class OutboundConnection implements ManagedConnection {
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private PrintWriter logWriter;

    /** What the connection talks to, e.g. {@code MUPDATE master host:port}. */
    protected abstract String eisName();

    /** The protocol it speaks. */
    protected abstract String eisVersion();

    /** Tells the pool that {@code handle} was closed by its user: the connection goes back to the pool. */
    protected void fireClosed(Object handle) {
        ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        event.setConnectionHandle(handle);
        listeners.forEach(l -> l.connectionClosed(event));
    }

    /** Tells the pool that the connection failed under {@code handle}: the pool destroys it. */
    protected void fireFailed(Object handle, Exception e) {
        ConnectionEvent event = new ConnectionEvent(this, ConnectionEvent.CONNECTION_ERROR_OCCURRED, e);
        event.setConnectionHandle(handle);
        listeners.forEach(l -> l.connectionErrorOccurred(event));
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
        throw new NotSupportedException(eisName() + " is not transactional");
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException(eisName() + " is not transactional");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return eisName();
            }

            @Override
            public String getEISProductVersion() {
                return eisVersion();
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
