package org.corvid.jca.impl.mupdate;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ResourceAllocationException;
import jakarta.resource.spi.SecurityException;
import java.io.IOException;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;
import org.corvid.jca.impl.OutboundConnectionFactory;

/**
 * Outbound MUPDATE connections to the murder's master. The master and the credentials are config properties
 * (ironjacamar.xml); left empty, they come from the system properties {@code corvid.mupdate.master} (default:
 * this node's own MUPDATE port on 127.0.0.1), {@code corvid.mupdate.user} and {@code corvid.mupdate.password}.
 * Every pooled connection is authenticated once, when it is opened.
 */
public class MupdateManagedConnectionFactory extends OutboundConnectionFactory {
    private static final long serialVersionUID = 1L;

    private String master;
    private String user;
    private String password;
    private Integer connectTimeoutMillis = 5000;
    private Integer readTimeoutMillis = 30000;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) {
        return new MupdateConnectionFactoryImpl(this, cm);
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info)
            throws ResourceException {
        try {
            return new MupdateManagedConnection(this, open(readTimeoutMillis));
        } catch (MupdateClient.MupdateLoginException e) {
            throw new SecurityException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ResourceAllocationException("cannot connect to the MUPDATE master " + effectiveMaster()
                    + ": " + e.getMessage(), e);
        }
    }

    MupdateClient open(int readTimeout) throws IOException {
        return MupdateClient.open(effectiveMaster(), effectiveUser(), effectivePassword(), connectTimeoutMillis,
                readTimeout);
    }

    @Override
    public ManagedConnection matchManagedConnections(Set connections, Subject subject, ConnectionRequestInfo info) {
        for (Object c : connections) {
            if (c instanceof MupdateManagedConnection mc && mc.factory() == this) {
                return mc; // all connections of this factory are alike
            }
        }
        return null;
    }

    @Override
    public Set getInvalidConnections(Set connections) {
        Set<Object> invalid = new HashSet<>();
        for (Object c : connections) {
            if (c instanceof MupdateManagedConnection mc && mc.unusable()) {
                invalid.add(mc);
            }
        }
        return invalid;
    }

    String effectiveMaster() {
        if (master != null && !master.isBlank()) {
            return master.trim();
        }
        String configured = System.getProperty("corvid.mupdate.master");
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        int port = Integer.getInteger("corvid.mupdate.port", 3905)
                + Integer.getInteger("jboss.socket.binding.port-offset", 0);
        return "127.0.0.1:" + port;
    }

    private String effectiveUser() {
        return user != null && !user.isBlank() ? user : System.getProperty("corvid.mupdate.user", "murder");
    }

    private String effectivePassword() {
        return password != null ? password : System.getProperty("corvid.mupdate.password", "");
    }

    public String getMaster() { return master; }
    public void setMaster(String master) { this.master = master; }
    public String getUser() { return user; }
    public void setUser(String user) { this.user = user; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
    public Integer getConnectTimeoutMillis() { return connectTimeoutMillis; }
    public void setConnectTimeoutMillis(Integer millis) { this.connectTimeoutMillis = millis; }
    public Integer getReadTimeoutMillis() { return readTimeoutMillis; }
    public void setReadTimeoutMillis(Integer millis) { this.readTimeoutMillis = millis; }

    @Override
    public boolean equals(Object o) {
        return o instanceof MupdateManagedConnectionFactory other && Objects.equals(master, other.master)
                && Objects.equals(user, other.user) && Objects.equals(password, other.password)
                && Objects.equals(connectTimeoutMillis, other.connectTimeoutMillis)
                && Objects.equals(readTimeoutMillis, other.readTimeoutMillis);
    }

    @Override
    public int hashCode() {
        return Objects.hash(master, user, connectTimeoutMillis, readTimeoutMillis);
    }
}
