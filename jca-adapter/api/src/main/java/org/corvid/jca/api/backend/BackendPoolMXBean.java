package org.corvid.jca.api.backend;

/**
 * {@code org.corvid:type=BackendPool,protocol=<imap|lmtp|pop3>}: the adapter's pooled connections from this
 * node to backends in one protocol ({@link BackendConnectionFactory}), registered at their first use.
 */
public interface BackendPoolMXBean {
    static String objectName(String protocol) {
        return "org.corvid:type=BackendPool,protocol=" + protocol;
    }

    /** Connections open now, lent and idle. */
    int getConnections();

    /** Lent to a client session (or an LMTP transaction) now. */
    int getInUse();

    /** Idle in the pool, ready for the next session to the same backend. */
    int getIdle();

    /** Connections opened and closed since the start; {@code Lent - Created} were reused from the pool. */
    long getCreated();

    long getDestroyed();

    long getLent();

    /** One line per backend address: {@code host:port: n in use, m idle}. */
    String[] getBackends();
}
