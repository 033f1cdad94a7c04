package org.corvid.ejb.jmx;

/**
 * The frontend role's {@link TrafficMXBean} ({@code role=frontend}), with what its proxy does towards the
 * backends: their connections (the pool), the commands relayed and how long the backends took.
 */
public interface ProxyTrafficMXBean extends TrafficMXBean {
    /**
     * Connections open now from this node to backends in this protocol, in use and idle: the adapter's pool
     * ({@code org.corvid:type=BackendPool,protocol=<p>}, and WildFly's statistics of the pool
     * {@code BackendConnections}).
     */
    int getBackendConnections();

    /** Of those, the ones in use by client sessions (IMAP, POP3) or LMTP transactions. */
    int getBackendConnectionsInUse();

    /** Of those, the ones idle in the pool, ready for the next session. */
    int getBackendConnectionsIdle();

    /** Commands relayed to backends since the start. */
    long getProxiedCommands();

    /** Mean time from sending a command to a backend to its last answer line, since the start, in ms. */
    double getLatencyMeanMillis();

    /** Median and 99th percentile of that time over the last one to two minutes, in ms (within 25 %). */
    double getLatencyP50Millis();

    double getLatencyP99Millis();

    /** One line per backend: {@code server: in use n, commands n, p50 x ms, p99 y ms}. */
    String[] getBackends();
}
