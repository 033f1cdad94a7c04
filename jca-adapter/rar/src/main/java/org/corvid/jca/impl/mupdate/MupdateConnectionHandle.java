package org.corvid.jca.impl.mupdate;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.IllegalStateException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.jca.api.mupdate.MupdateReply;

/** The application's handle on a pooled {@link MupdateManagedConnection}. */
final class MupdateConnectionHandle implements MupdateConnection {
    private volatile MupdateManagedConnection managed;

    MupdateConnectionHandle(MupdateManagedConnection managed) {
        this.managed = managed;
    }

    void associate(MupdateManagedConnection mc) {
        this.managed = mc;
    }

    void invalidate() {
        managed = null;
    }

    private interface Call<T> {
        T run(MupdateClient client) throws IOException;
    }

    private <T> T call(Call<T> call) throws ResourceException {
        MupdateManagedConnection mc = managed;
        if (mc == null) {
            throw new IllegalStateException("MUPDATE connection already closed");
        }
        try {
            return call.run(mc.client());
        } catch (IOException e) {
            mc.failed(this, e);
            throw new ResourceException("MUPDATE master " + mc.client().master() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public MupdateReply reserve(String name, String location) throws ResourceException {
        return call(c -> c.command("RESERVE", name, location));
    }

    @Override
    public MupdateReply activate(String name, String location, String acl) throws ResourceException {
        return call(c -> c.command("ACTIVATE", name, location, acl));
    }

    @Override
    public MupdateReply deactivate(String name, String location) throws ResourceException {
        return call(c -> c.command("DEACTIVATE", name, location));
    }

    @Override
    public MupdateReply delete(String name) throws ResourceException {
        return call(c -> c.command("DELETE", name));
    }

    @Override
    public List<MupdateReply> writeAll(List<org.corvid.jca.api.mupdate.MupdateWrite> writes) throws ResourceException {
        return call(c -> c.pipeline(writes));
    }

    @Override
    public Optional<MupdateEntry> find(String name) throws ResourceException {
        List<MupdateEntry> found = call(c -> c.records("FIND", name));
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    @Override
    public void list(String locationPrefix, Consumer<MupdateEntry> each) throws ResourceException {
        MupdateReply r = call(c -> locationPrefix == null ? c.command(each, "LIST") : c.command(each, "LIST", locationPrefix));
        if (!r.ok()) {
            throw new ResourceException("LIST refused: " + r);
        }
    }

    @Override
    public MupdateReply noop() throws ResourceException {
        return call(c -> c.command("NOOP"));
    }

    @Override
    public void close() {
        MupdateManagedConnection mc = managed;
        if (mc != null) {
            managed = null;
            mc.closed(this);
        }
    }
}
