package org.corvid.ejb.cluster;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.Connection;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Whether this node is the MUPDATE master now. Without a cluster: a node with the {@code mupdate} role is, always.
 * In a cluster ({@code corvid.cluster=true}) every node has the role, and a node is master only while WildFly's
 * HA singleton ({@link MasterElection}) elects it <em>and</em> it holds the database lease ({@link MasterLease}):
 * elected, it waits for the old lease to expire, takes it (a new epoch), re-reads into the replicated location
 * cache what the old master may have committed without publishing, and only then accepts writes;
 * every batch of writes is fenced by that epoch. It renews the lease every third of its length and steps down
 * the moment a renewal finds another node's epoch. The other nodes read the lease to learn where the master is,
 * and relay MUPDATE clients there.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrator", "LocationCache"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class MasterRole {
    private static final Logger LOG = Logger.getLogger(MasterRole.class);

    @Resource
    private ManagedThreadFactory threads;

    @EJB
    private NodeConfig node;

    @EJB
    private MasterLease lease;

    @EJB
    private LocationCache locations;

    /**
     * "epoch" → the epoch of the master that last brought corvid-locations in line: a replica that has an older
     * one missed a failover's writes. "published-" + epoch → {@link #publishedUpTo} of that epoch's master, as of
     * its last renewal (keyed by epoch, so a replaced master that resumes cannot overwrite its successor's).
     */
    @Resource(lookup = "java:jboss/infinispan/cache/corvid/corvid-master")
    private org.infinispan.Cache<String, Long> marker;

    private boolean clustered;
    private long leaseMillis;
    /**
     * When (this node's clock) every change this master committed before it had been published to the cache:
     * a change not published yet was stamped later (one writer thread, batch after batch). Copied to the
     * replicated marker at each renewal, so a successor knows which rows to re-read: those changed since.
     */
    private volatile long publishedUpTo;
    /** The {@link #publishedUpTo} value last put in the marker. */
    private long marked;
    /** A committed batch this master could not publish to the cache: its watermark no longer holds. */
    private volatile boolean publicationFailed;
    /** Marker key prefix: "published-" + epoch → {@link #publishedUpTo} of that epoch's master. */
    private static final String PUBLISHED = "published-";
    private String me;
    private String address;
    private Thread worker;
    private final java.util.concurrent.LinkedBlockingQueue<Boolean> wake = new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile boolean running;
    private volatile boolean elected;
    private volatile boolean active;
    private volatile long epoch = -1;
    private volatile MasterLease.Holder holder;
    /** MUPDATE connections this node relays, and where to: closed when the master moves. */
    private final Map<Connection, String> relayed = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        clustered = MasterElection.clustered() && node.has(NodeConfig.Role.MUPDATE);
        if (!clustered) {
            active = node.has(NodeConfig.Role.MUPDATE);
            return;
        }
        leaseMillis = Long.getLong("corvid.cluster.lease-ms", 3000);
        me = node.serverName();
        address = System.getProperty("corvid.cluster.mupdate-address", "").isBlank() ? defaultAddress()
                : System.getProperty("corvid.cluster.mupdate-address").trim();
        running = true;
        worker = threads.newThread(this::run);
        worker.setName("corvid-master-role");
        worker.start();
        MasterElection.listen(now -> {
            elected = now;
            wake.offer(Boolean.TRUE); // act on it now, not at the next tick (no interrupt: it may be in JDBC)
        });
        LOG.infof("Clustered MUPDATE: %s (MUPDATE at %s) takes the master role when elected; lease %d ms", me,
                address, leaseMillis);
    }

    private static String defaultAddress() {
        String bind = System.getProperty("corvid.bind.address", "0.0.0.0");
        String host = bind.equals("0.0.0.0") ? System.getProperty("jboss.bind.address", "127.0.0.1") : bind;
        if (host.equals("0.0.0.0")) {
            host = "127.0.0.1";
        }
        int port = Integer.getInteger("corvid.mupdate.port", 3905) + Integer.getInteger("jboss.socket.binding.port-offset", 0);
        return host + ":" + port;
    }

    @PreDestroy
    void stop() {
        if (!clustered) {
            return;
        }
        MasterElection.listen(null);
        running = false;
        wake.offer(Boolean.TRUE);
        try {
            worker.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (active) {
            stepDown("the node is stopping");
        }
    }

    private void run() {
        long lastRenew = 0;
        while (running) {
            try {
                long now = System.currentTimeMillis();
                if (elected && !active) {
                    long taken = lease.take(me, address, leaseMillis);
                    if (taken > 0) {
                        long start = System.nanoTime();
                        epoch = taken;
                        // what the master this one replaces (epoch - 1) published, if it said so and this node's
                        // replica followed it (a node cut off through a failover has an older epoch there)
                        Long published = Long.valueOf(taken - 1).equals(marker.get("epoch"))
                                ? marker.get(PUBLISHED + (taken - 1)) : null;
                        if (published == null) {
                            locations.reconcile(); // e.g. the whole cluster started afresh: the replica may be empty
                        } else {
                            // 1 s for a clock stepped back on the old master's node
                            locations.catchUp(java.time.Instant.ofEpochMilli(published - 1000));
                        }
                        // from now on this node's writes are stamped after this
                        marked = System.currentTimeMillis();
                        publicationFailed = false;
                        marker.putAll(Map.of("epoch", taken, PUBLISHED + taken, marked));
                        marker.remove(PUBLISHED + (taken - 1));
                        active = true;
                        lastRenew = System.currentTimeMillis();
                        LOG.infof("MUPDATE master active on %s, epoch %d (location cache %s in %d ms)", me, taken,
                                published == null ? "reconciled" : "caught up", (System.nanoTime() - start) / 1_000_000);
                    }
                } else if (active && !elected) {
                    stepDown("another node was elected");
                } else if (active && now - lastRenew >= leaseMillis / 3) {
                    if (lease.renew(me, epoch, leaseMillis)) {
                        lastRenew = now;
                        long p = publishedUpTo;
                        if (publicationFailed) { // a successor must compare every row
                            marker.remove(PUBLISHED + epoch);
                        } else if (p > marked) {
                            marker.put(PUBLISHED + epoch, p);
                            marked = p;
                        }
                    } else {
                        active = false;
                        LOG.warnf("MUPDATE master on %s lost the lease of epoch %d: another node is master; its"
                                + " writes from now on are refused", me, epoch);
                    }
                }
                observe(lease.current());
                MasterLease.Holder h = holder;
                MasterElection.holder(h.node());
                // cut off: the master is not in this node's view, or this replica has not seen the current master's
                // epoch (it was frozen or partitioned through a failover) - until the views merge
                boolean current = h.node().isEmpty() || h.expiresAt() <= System.currentTimeMillis();
                locations.cutOff(!active && !current && (!locations.members().contains(h.node())
                        || !Long.valueOf(h.epoch()).equals(marker.get("epoch"))));
            } catch (RuntimeException e) {
                LOG.warnf("master role: %s", e.toString()); // the database is away: try again at the next tick
            }
            try {
                wake.poll(active ? Math.max(50, leaseMillis / 6) : 250, java.util.concurrent.TimeUnit.MILLISECONDS);
                wake.clear();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void stepDown(String why) {
        active = false;
        try {
            lease.release(me, epoch);
        } catch (RuntimeException e) {
            LOG.debugf("releasing the lease: %s", e);
        }
        LOG.infof("MUPDATE master on %s steps down (%s)", me, why);
    }

    /** A new lease holder: relayed connections to the old one are closed, so their clients reconnect. */
    private void observe(MasterLease.Holder now) {
        MasterLease.Holder before = holder;
        holder = now;
        if (before != null && before.epoch() != now.epoch()) {
            LOG.infof("MUPDATE master is now %s (%s), epoch %d", now.node(), now.address(), now.epoch());
            relayed.forEach((c, to) -> {
                if (!to.equals(now.address())) {
                    relayed.remove(c);
                    c.close();
                }
            });
        }
    }

    /** True if this node runs the master's list in a cluster (lease and election), not alone. */
    public boolean clustered() {
        return clustered;
    }

    /** True if this node may write the list now. */
    public boolean active() {
        return active;
    }

    /**
     * Where MUPDATE clients of this node go ({@code host:port}): null if this node is master, or if no other
     * node is (none elected yet, or this node is taking over).
     */
    public String relayTarget() {
        MasterLease.Holder h = holder;
        if (!clustered || active || h == null || h.node().isEmpty() || h.node().equals(me)) {
            return null;
        }
        return h.address();
    }

    /** Remembers a connection relayed to {@code target}, to close it when the master moves. */
    public void relaying(Connection c, String target) {
        relayed.put(c, target);
        relayed.keySet().removeIf(x -> x.state() == org.corvid.jca.api.SessionState.LOGOUT);
    }

    /**
     * Called by the writer after each batch's transaction ended: {@code ok} if its changes were published (or it
     * rolled back). Once a publication failed, the watermark stays where it was and is withdrawn at the next
     * renewal, so the next master compares every row.
     */
    public void published(boolean ok) {
        if (!ok) {
            publicationFailed = true;
        } else if (!publicationFailed) {
            publishedUpTo = System.currentTimeMillis();
        }
    }

    /** Called first in every transaction that writes the list: it commits only if this node is still master. */
    public void fence() {
        if (!clustered) {
            return;
        }
        if (!active) {
            throw new StaleMasterException(me, -1);
        }
        try {
            lease.fence(me, epoch, leaseMillis);
        } catch (StaleMasterException e) {
            active = false;
            LOG.warnf("refused a write: %s", e.getMessage());
            throw e;
        }
    }

    /** The lease as last read ({@code null} before the first read or without a cluster). */
    public MasterLease.Holder holder() {
        return holder;
    }

    public String node() {
        return me;
    }
}
