package org.corvid.jca.impl.mupdate;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import java.util.Set;
import javax.naming.Reference;
import org.corvid.jca.api.mupdate.MupdateConnection;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateSubscriber;
import org.corvid.jca.api.mupdate.MupdateSubscription;

/** What {@code java:/corvid/MupdateConnectionFactory} holds: pooled connections and UPDATE subscriptions. */
final class MupdateConnectionFactoryImpl implements MupdateConnectionFactory {
    private static final long serialVersionUID = 1L;

    private final MupdateManagedConnectionFactory mcf;
    private final transient ConnectionManager cm;
    private Reference reference;

    MupdateConnectionFactoryImpl(MupdateManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    @Override
    public MupdateConnection getConnection() throws ResourceException {
        return (MupdateConnection) cm.allocateConnection(mcf, null);
    }

    @Override
    public MupdateSubscription subscribe(Set<String> hosts, MupdateSubscriber subscriber) {
        UpdateSubscription s = new UpdateSubscription(mcf, hosts, subscriber);
        mcf.adapter().startLongRunning(s, "mupdate-update-" + mcf.effectiveMaster());
        return s;
    }

    @Override
    public String master() {
        return mcf.effectiveMaster();
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
