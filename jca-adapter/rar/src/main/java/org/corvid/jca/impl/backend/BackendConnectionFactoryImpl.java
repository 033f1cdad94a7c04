package org.corvid.jca.impl.backend;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import javax.naming.Reference;
import org.corvid.jca.api.backend.BackendConnection;
import org.corvid.jca.api.backend.BackendConnectionFactory;

/** What {@code java:/corvid/BackendConnectionFactory} holds. */
final class BackendConnectionFactoryImpl implements BackendConnectionFactory {
    private static final long serialVersionUID = 1L;

    private final BackendManagedConnectionFactory mcf;
    private final transient ConnectionManager cm;
    private Reference reference;

    BackendConnectionFactoryImpl(BackendManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    @Override
    public BackendConnection connect(String protocol, String host, int port) throws ResourceException {
        return (BackendConnection) cm.allocateConnection(mcf, new BackendRequest(protocol, host, port));
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
