package org.corvid.ejb.jmx;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.corvid.ejb.frontend.ProxyMetrics;
import org.corvid.jca.api.backend.BackendPoolMXBean;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.ejb.node.NodeConfig.Role;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Registers a {@link TrafficMXBean} per protocol and role this node has ({@link ProxyTrafficMXBean} for the
 * frontend), computed from the adapter's listener and backend pool MBeans ({@code org.corvid:type=Listener},
 * {@code org.corvid:type=BackendPool}) and the proxies' {@link ProxyMetrics}; samples their counts every 5 s for the per-second rates.
 */
@Singleton
@Startup
@PermitAll
@SecurityDomain("corvid")
public class TrafficMBeans {
    private static final Logger LOG = Logger.getLogger(TrafficMBeans.class);
    private static final List<String> MAIL_PROTOCOLS = List.of("imap", "pop3", "lmtp");

    @EJB
    private NodeConfig node;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final List<Traffic> registered = new ArrayList<>();
    private long lastRotation = System.nanoTime();

    @PostConstruct
    void register() {
        boolean frontend = node.has(Role.FRONTEND);
        boolean backend = node.has(Role.BACKEND);
        for (String protocol : MAIL_PROTOCOLS) {
            if (frontend) {
                add(new Proxy(protocol, backend));
            }
            if (backend) {
                add(new Traffic(protocol, "backend", frontend));
            }
        }
        add(new Traffic("mupdate", node.has(Role.MUPDATE) ? "mupdate" : "frontend", false));
    }

    private void add(Traffic t) {
        try {
            ObjectName name = new ObjectName(TrafficMXBean.objectName(t.protocol, t.role));
            if (server.isRegistered(name)) { // left by a deployment that did not end cleanly
                server.unregisterMBean(name);
            }
            server.registerMBean(t, name);
            registered.add(t);
        } catch (JMException e) {
            LOG.warnf("Traffic MBean %s/%s not registered: %s", t.protocol, t.role, e.getMessage());
        }
    }

    @PreDestroy
    void unregister() {
        for (Traffic t : registered) {
            try {
                server.unregisterMBean(new ObjectName(TrafficMXBean.objectName(t.protocol, t.role)));
            } catch (JMException e) {
                LOG.debugf("Traffic MBean %s/%s: %s", t.protocol, t.role, e.getMessage());
            }
        }
    }

    @Schedule(hour = "*", minute = "*", second = "*/5", persistent = false)
    void sample() {
        registered.forEach(t -> t.rate.sample());
        if (System.nanoTime() - lastRotation >= 60_000_000_000L) {
            lastRotation = System.nanoTime();
            ProxyMetrics.rotate();
        }
    }

    /** The sum of one attribute over this protocol's listeners (IMAP and IMAPS are both {@code imap}). */
    private long listeners(String protocol, String attribute) {
        try {
            long sum = 0;
            for (ObjectName name : server.queryNames(new ObjectName("org.corvid:type=Listener,protocol=" + protocol + ",*"), null)) {
                sum += ((Number) server.getAttribute(name, attribute)).longValue();
            }
            return sum;
        } catch (JMException e) {
            return 0;
        }
    }

    /** An attribute of the adapter's backend pool MBean for {@code protocol}; 0 before its first connection. */
    private long pool(String protocol, String attribute) {
        try {
            return ((Number) server.getAttribute(new ObjectName(BackendPoolMXBean.objectName(protocol)), attribute)).longValue();
        } catch (JMException e) {
            return 0;
        }
    }

    private static long proxied(String protocol) {
        return sum(protocol, ProxyMetrics.Backend::commands);
    }

    private static long sum(String protocol, ToLongFunction<ProxyMetrics.Backend> f) {
        return ProxyMetrics.backends(protocol).stream().mapToLong(f).sum();
    }

    private class Traffic implements TrafficMXBean {
        final String protocol;
        final String role;
        final boolean shared; // both roles on this node: split the listener's commands
        final Rate rate = new Rate(this::getCommands);

        Traffic(String protocol, String role, boolean shared) {
            this.protocol = protocol;
            this.role = role;
            this.shared = shared;
        }

        @Override
        public String getProtocol() { return protocol; }

        @Override
        public String getRole() { return role; }

        @Override
        public int getClientConnections() {
            return (int) listeners(protocol, "OpenConnections");
        }

        @Override
        public long getCommands() {
            long all = listeners(protocol, "Commands");
            return shared ? Math.max(0, all - proxied(protocol)) : all;
        }

        @Override
        public double getCommandsPerSecond() {
            return rate.perSecond();
        }
    }

    private final class Proxy extends Traffic implements ProxyTrafficMXBean {
        Proxy(String protocol, boolean shared) {
            super(protocol, "frontend", shared);
        }

        @Override
        public long getCommands() {
            return shared ? proxied(protocol) : listeners(protocol, "Commands");
        }

        @Override
        public int getBackendConnections() {
            return (int) pool(protocol, "Connections");
        }

        @Override
        public int getBackendConnectionsInUse() {
            return (int) sum(protocol, ProxyMetrics.Backend::inUse);
        }

        @Override
        public int getBackendConnectionsIdle() {
            return (int) pool(protocol, "Idle");
        }

        @Override
        public long getProxiedCommands() {
            return proxied(protocol);
        }

        @Override
        public double getLatencyMeanMillis() {
            long n = proxied(protocol);
            return n == 0 ? 0 : ProxyMetrics.backends(protocol).stream().mapToDouble(b -> b.meanMillis() * b.commands()).sum() / n;
        }

        @Override
        public double getLatencyP50Millis() {
            return ProxyMetrics.latencies(protocol).quantileMillis(0.5);
        }

        @Override
        public double getLatencyP99Millis() {
            return ProxyMetrics.latencies(protocol).quantileMillis(0.99);
        }

        @Override
        public String[] getBackends() {
            return ProxyMetrics.backends(protocol).stream().map(b -> String.format(Locale.ROOT,
                    "%s: in use %d, commands %d, p50 %.2f ms, p99 %.2f ms", b.server(), b.inUse(),
                    b.commands(), b.latencies().quantileMillis(0.5), b.latencies().quantileMillis(0.99))).toArray(String[]::new);
        }
    }
}
