package org.corvid.jca.impl.backend;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ResourceAllocationException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;
import org.corvid.jca.impl.OutboundConnectionFactory;

/** Outbound TCP connections from a frontend to its backends, pooled per protocol and address. */
public class BackendManagedConnectionFactory extends OutboundConnectionFactory {
    private static final long serialVersionUID = 1L;

    private Integer connectTimeoutMillis = 5000;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) {
        return new BackendConnectionFactoryImpl(this, cm);
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        BackendRequest request = (BackendRequest) info;
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.socket().connect(new InetSocketAddress(request.host(), request.port()), connectTimeoutMillis);
            channel.socket().setTcpNoDelay(true);
            channel.socket().setKeepAlive(true);
            return new BackendManagedConnection(this, request, channel);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // never connected
                }
            }
            throw new ResourceAllocationException("cannot connect to " + request + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ManagedConnection matchManagedConnections(Set connections, Subject subject, ConnectionRequestInfo info) {
        for (Object c : connections) {
            if (c instanceof BackendManagedConnection mc && mc.request().equals(info) && mc.usable()) {
                return mc;
            }
        }
        return null;
    }

    @Override
    public Set getInvalidConnections(Set connections) {
        Set<Object> invalid = new HashSet<>();
        for (Object c : connections) {
            if (c instanceof BackendManagedConnection mc && !mc.usable()) {
                invalid.add(mc);
            }
        }
        return invalid;
    }

    public Integer getConnectTimeoutMillis() { return connectTimeoutMillis; }
    public void setConnectTimeoutMillis(Integer millis) { this.connectTimeoutMillis = millis; }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendManagedConnectionFactory other && Objects.equals(connectTimeoutMillis, other.connectTimeoutMillis);
    }

    @Override
    public int hashCode() {
        return Objects.hash(connectTimeoutMillis);
    }
}
