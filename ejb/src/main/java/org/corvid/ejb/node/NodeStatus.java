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
     * This node's MUPDATE side: {@code master} (role mupdate), {@code standby} (a cluster node that is not master
     * now: {@code master} names the one that is, as {@code node@host:port}), {@code slave} (streams from
     * {@code master}) or {@code none}; {@code synced} once a slave has the master's full list; UPDATE subscribers
     * connected here; the cluster members this node sees (empty without a cluster); whether it is cut off from the
     * master's view (lookups from the database until the views merge, see docs/cluster.md).
     */
    public record Mupdate(String mode, String master, boolean synced, int streamingClients, List<String> clusterMembers,
                          boolean cutOff) {
    }

    /** One protocol listener, read live from the adapter's MBean. */
    public record ListenerStatus(String protocol, String bindAddress, int port, boolean tls, int openConnections,
                                 long acceptedConnections, long commands) {
    }

    /** Heap of this server's JVM, in bytes. */
    public record Jvm(long heapUsed, long heapCommitted, long heapMax) {
    }
}
