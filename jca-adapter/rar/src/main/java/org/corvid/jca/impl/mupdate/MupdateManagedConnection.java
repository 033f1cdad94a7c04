package org.corvid.jca.impl.mupdate;

import jakarta.resource.spi.ConnectionRequestInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import org.corvid.jca.impl.OutboundConnection;

/** One pooled, authenticated socket to the master; handles ({@link MupdateConnectionHandle}) borrow it. */
final class MupdateManagedConnection extends OutboundConnection {
    private final MupdateManagedConnectionFactory factory;
    private final MupdateClient client;
    private final List<MupdateConnectionHandle> handles = new CopyOnWriteArrayList<>();

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
        fireClosed(h);
    }

    /** The socket failed under the handle: the pool destroys this connection. */
    void failed(MupdateConnectionHandle h, Exception e) {
        fireFailed(h, e);
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
    protected String eisName() {
        return "MUPDATE master " + client.master();
    }

    @Override
    protected String eisVersion() {
        return "RFC 3656";
    }
}
