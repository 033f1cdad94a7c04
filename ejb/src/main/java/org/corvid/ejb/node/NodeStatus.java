package org.corvid.ejb.node;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /api/health} reports: this node, its listeners as the adapter sees them, its databases
 * (schema version and mailbox count per persistence unit) and its heap.
 */
public record NodeStatus(String node, String version, List<String> roles, String dataDir,
                         List<ListenerStatus> listeners, Map<String, String> schemas, Map<String, Long> mailboxes,
                         Jvm jvm) {

    /** One protocol listener, read live from the adapter's MBean. */
    public record ListenerStatus(String protocol, String bindAddress, int port, boolean tls, int openConnections,
                                 long acceptedConnections, long commands) {
    }

    /** Heap of this server's JVM, in bytes. */
    public record Jvm(long heapUsed, long heapCommitted, long heapMax) {
    }
}
