package org.corvid.ejb.node;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * This node's identity and roles, read once at start from {@code corvid.server.name}, {@code corvid.roles}
 * and {@code corvid.data.dir} (set by configure-server.cli, overridable per node).
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN) // read-only after start: no container lock on every call
@PermitAll
@SecurityDomain("corvid")
public class NodeConfig {
    private static final Logger LOG = Logger.getLogger(NodeConfig.class);

    private volatile String serverName;
    private volatile Set<Role> roles;
    private volatile Path dataDir;
    private volatile String version;

    @PostConstruct
    void init() {
        serverName = System.getProperty("corvid.server.name", System.getProperty("jboss.node.name", "corvid"));
        roles = Role.parse(System.getProperty("corvid.roles", "mupdate,backend,frontend"));
        dataDir = Path.of(System.getProperty("corvid.data.dir", "data")).toAbsolutePath().normalize();
        version = readVersion();
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create data directory " + dataDir, e);
        }
        LOG.infof("Corvid %s node '%s', roles %s, data in %s", version, serverName, roles, dataDir);
    }

    private static String readVersion() {
        Properties p = new Properties();
        try (InputStream in = NodeConfig.class.getResourceAsStream("/corvid-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    public String serverName() { return serverName; }
    public Set<Role> roles() { return Collections.unmodifiableSet(roles); }
    public boolean has(Role role) { return roles.contains(role); }
    public Path dataDir() { return dataDir; }
    public String version() { return version; }

    /** A node role (design card section 1). */
    public enum Role {
        MUPDATE, BACKEND, FRONTEND;

        static Set<Role> parse(String list) {
            Set<Role> set = EnumSet.noneOf(Role.class);
            Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .forEach(s -> set.add(Role.valueOf(s.toUpperCase(Locale.ROOT))));
            return set;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
