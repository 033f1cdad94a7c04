package org.corvid.jca.impl.backend;

import java.nio.channels.SocketChannel;
import org.corvid.jca.api.backend.BackendConnection;

/** The caller's handle on a pooled {@link BackendManagedConnection}. */
final class BackendConnectionHandle implements BackendConnection {
    private volatile BackendManagedConnection managed;
    private final boolean fresh;
    private final SocketChannel channel;

    BackendConnectionHandle(BackendManagedConnection managed, boolean fresh) {
        this.managed = managed;
        this.fresh = fresh;
        this.channel = managed.channel();
    }

    void associate(BackendManagedConnection mc) {
        managed = mc;
    }

    void invalidate() {
        managed = null;
    }

    @Override
    public SocketChannel channel() {
        return channel;
    }

    @Override
    public boolean fresh() {
        return fresh;
    }

    @Override
    public void close() {
        BackendManagedConnection mc = managed;
        if (mc != null) {
            managed = null;
            mc.closed(this);
        }
    }

    @Override
    public void discard() {
        BackendManagedConnection mc = managed;
        if (mc != null) {
            managed = null;
            mc.discarded(this);
        }
    }
}
