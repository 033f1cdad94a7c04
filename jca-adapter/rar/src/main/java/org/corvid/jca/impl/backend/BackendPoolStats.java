package org.corvid.jca.impl.backend;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.JMException;
import javax.management.ObjectName;
import org.corvid.jca.api.backend.BackendPoolMXBean;
import org.jboss.logging.Logger;

/** The {@link BackendPoolMXBean} of one protocol, counted by the managed connections as they live. */
public final class BackendPoolStats implements BackendPoolMXBean {
    private static final Logger LOG = Logger.getLogger(BackendPoolStats.class);
    private static final Map<String, BackendPoolStats> BY_PROTOCOL = new ConcurrentHashMap<>();

    private final Map<String, int[]> byAddress = new ConcurrentHashMap<>(); // host:port -> {open, in use}
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong destroyed = new AtomicLong();
    private final AtomicLong lent = new AtomicLong();

    static BackendPoolStats of(String protocol) {
        return BY_PROTOCOL.computeIfAbsent(protocol, p -> {
            BackendPoolStats s = new BackendPoolStats();
            try {
                var server = ManagementFactory.getPlatformMBeanServer();
                ObjectName name = new ObjectName(BackendPoolMXBean.objectName(p));
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
                server.registerMBean(s, name);
            } catch (JMException e) {
                LOG.warnf("BackendPool MBean for %s not registered: %s", p, e.getMessage());
            }
            return s;
        });
    }

    /** Unregisters every protocol's MBean (the adapter stops). */
    public static void unregisterAll() {
        for (String p : BY_PROTOCOL.keySet()) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(new ObjectName(BackendPoolMXBean.objectName(p)));
            } catch (JMException e) {
                LOG.debugf("BackendPool MBean %s: %s", p, e.getMessage());
            }
        }
        BY_PROTOCOL.clear();
    }

    private void add(BackendRequest r, int openDelta, int inUseDelta) {
        int[] counts = byAddress.computeIfAbsent(r.host() + ":" + r.port(), k -> new int[2]);
        synchronized (counts) {
            counts[0] += openDelta;
            counts[1] += inUseDelta;
        }
    }

    void created(BackendRequest r) {
        created.incrementAndGet();
        open.incrementAndGet();
        add(r, 1, 0);
    }

    void destroyed(BackendRequest r) {
        destroyed.incrementAndGet();
        open.decrementAndGet();
        add(r, -1, 0);
    }

    void lent(BackendRequest r) {
        lent.incrementAndGet();
        inUse.incrementAndGet();
        add(r, 0, 1);
    }

    void returned(BackendRequest r) {
        inUse.decrementAndGet();
        add(r, 0, -1);
    }

    @Override public int getConnections() { return open.get(); }
    @Override public int getInUse() { return inUse.get(); }
    @Override public int getIdle() { return Math.max(0, open.get() - inUse.get()); }
    @Override public long getCreated() { return created.get(); }
    @Override public long getDestroyed() { return destroyed.get(); }
    @Override public long getLent() { return lent.get(); }

    @Override
    public String[] getBackends() {
        return byAddress.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> {
            int[] c = e.getValue();
            synchronized (c) {
                return e.getKey() + ": " + c[1] + " in use, " + Math.max(0, c[0] - c[1]) + " idle";
            }
        }).toArray(String[]::new);
    }
}
