package org.corvid.ejb.node;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/health} reports: this node, its listeners as the adapter sees them, its databases
 * (schema version and mailbox count per persistence unit) and its heap.
 */
public record NodeStatus(String node, String version, List<String> roles, String dataDir,
                         List<ListenerStatus> listeners, Map<String, String> schemas, Map<String, Long> mailboxes,
                         Mupdate mupdate, Jvm jvm) {

    /**
     * This node's MUPDATE side: {@code master} (role mupdate), {@code slave} (streams from {@code master}) or
     * {@code none}; {@code synced} once a slave has the master's full list; UPDATE subscribers connected here.
     */
    public record Mupdate(String mode, String master, boolean synced, int streamingClients) {
    }

    /** One protocol listener, read live from the adapter's MBean. */
    public record ListenerStatus(String protocol, String bindAddress, int port, boolean tls, int openConnections,
                                 long acceptedConnections, long commands) {
    }

    /** Heap of this server's JVM, in bytes. */
    public record Jvm(long heapUsed, long heapCommitted, long heapMax) {
    }
}
