package org.corvid.ejb.location;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.corvid.ejb.mupdate.MupdateChange;
import org.corvid.ejb.mupdate.MupdateRecord;
import org.corvid.ejb.mupdate.MupdateService;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.persistence.mupdate.MailboxLocation;
import org.corvid.persistence.mupdate.MailboxState;
import org.infinispan.Cache;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * The {@code corvid-locations} Infinispan cache: mailbox name → location record, the frontend's mailbox
 * database. On a master node it is loaded from the list at start and then fed every committed change; on a
 * slave ({@link org.corvid.ejb.mupdate.MupdateSlave}) it is fed by the UPDATE stream from the remote master.
 * Lookups never touch the database.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class LocationCache {
    private static final Logger LOG = Logger.getLogger(LocationCache.class);
    private static final int PAGE = 5000;

    /**
     * Name → the rest of the record as one string ({@link #encode}): plain JDK types marshal between cluster
     * nodes without a schema, and one string per entry is smaller than a record of three.
     */
    @Resource(lookup = "java:jboss/infinispan/cache/corvid/corvid-locations")
    private Cache<String, String> cache;

    @EJB
    private MupdateService list;

    @EJB
    private NodeConfig node;

    /**
     * A master loads the list at start. In a cluster the cache is replicated: a joining node gets it from the
     * others, and the node that becomes master brings it in line with the list before its first write
     * ({@link #catchUp}, {@link #reconcile}).
     */
    @PostConstruct
    void load() {
        if (!node.has(NodeConfig.Role.MUPDATE) || org.corvid.ejb.cluster.MasterElection.clustered()) {
            return;
        }
        long start = System.nanoTime();
        // a change applied while loading is newer than the page: keep it
        forEachListed(page -> page.forEach(r -> cache.putIfAbsent(r.name(), encode(r))));
        LOG.infof("corvid-locations loaded: %d entries in %d ms", cache.size(), (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Makes the cache equal to the list (a new master, before it writes, when no master has told the cluster what
     * it published: the whole cluster started afresh). Only what differs is written.
     */
    public void reconcile() {
        Set<String> listed = new java.util.HashSet<>();
        int[] changed = {0};
        forEachListed(page -> {
            Map<String, String> differ = new HashMap<>();
            for (MupdateRecord r : page) {
                listed.add(r.name());
                String value = encode(r);
                if (!value.equals(cache.get(r.name()))) {
                    differ.put(r.name(), value);
                }
            }
            cache.putAll(differ);
            changed[0] += differ.size();
        });
        List<String> gone = namesNotIn(listed);
        gone.forEach(cache::remove);
        LOG.infof("corvid-locations reconciled with the list: %d entries, %d updated, %d removed", listed.size(),
                changed[0], gone.size());
    }

    /** The list itself (the database), a page at a time in name order. */
    private void forEachListed(Consumer<List<MupdateRecord>> eachPage) {
        String after = "";
        List<MupdateRecord> page;
        do {
            page = list.page(after, null, PAGE);
            eachPage.accept(page);
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1).name();
            }
        } while (page.size() == PAGE);
    }

    /**
     * A new master, before it writes, when the old one told the cluster until when it had published everything:
     * writes again every entry changed since {@code since} (what it may have committed without publishing, or
     * published to some replicas only, if it died while replicating), then compares the list's size with this
     * replica's; only if they differ (a removal committed and not published) does it {@link #reconcile} in full.
     * A few rows instead of the whole list on the failover's critical path.
     */
    public void catchUp(java.time.Instant since) {
        List<MupdateRecord> recent = list.changedSince(since);
        Map<String, String> again = new HashMap<>();
        for (MupdateRecord r : recent) {
            again.put(r.name(), encode(r));
            if (again.size() == PAGE) { // one replication message per page, as in reconcile
                cache.putAll(again);
                again.clear();
            }
        }
        cache.putAll(again);
        long listed = list.size();
        // the cache's size as the cluster sees it: right after a failover (a topology change) this node may not
        // hold every entry itself, and reads of the others go to the nodes that do
        long cached = cache.size();
        LOG.infof("corvid-locations caught up with the list: %d entries changed since %s written again; %d listed,"
                + " %d cached", recent.size(), since, listed, cached);
        if (listed != cached) {
            reconcile();
        }
    }

    /** Applies committed changes in order, the puts of a run without removals in one call (one round trip in a cluster). */
    public void applyAll(List<MupdateChange> changes) {
        Map<String, String> puts = new java.util.LinkedHashMap<>();
        for (MupdateChange c : changes) {
            if (c.current() == null) {
                putAll(puts);
                cache.remove(c.name());
            } else {
                puts.put(c.name(), encode(c.current()));
            }
        }
        putAll(puts);
    }

    /** Puts and clears {@code puts}, if there is anything to put (an empty putAll is still a call in a cluster). */
    private void putAll(Map<String, String> puts) {
        if (!puts.isEmpty()) {
            cache.putAll(puts);
            puts.clear();
        }
    }

    /**
     * True while this cluster node is cut off from the master (the lease's holder is not in the cache's view: it
     * was frozen or partitioned and has not merged back yet): its replica may have missed changes, so
     * {@link #lookup} asks the shared database instead. Set by {@link org.corvid.ejb.cluster.MasterRole}.
     */
    private volatile boolean cutOff;

    public void cutOff(boolean now) {
        if (now != cutOff) {
            LOG.infof(now ? "cut off from the MUPDATE master's cluster view: lookups go to the database until the views merge"
                    : "back in the MUPDATE master's cluster view: lookups from the cache again");
        }
        cutOff = now;
    }

    public boolean isCutOff() {
        return cutOff;
    }

    /** The names of the cluster members this node's cache sees (empty without a cluster). */
    public List<String> members() {
        var members = cache.getCacheManager().getMembers();
        return members == null ? List.of() : members.stream().map(Object::toString).sorted().toList();
    }

    /** The cached entry for {@code name}, or null (from the list itself while {@link #cutOff}). */
    public MupdateRecord lookup(String name) {
        if (cutOff) {
            return list.lookup(name);
        }
        return decode(name, cache.get(name));
    }

    private static String encode(MupdateRecord r) {
        return (r.state() == MailboxState.ACTIVE ? 'A' : 'R') + r.location() + '\0' + r.acl();
    }

    private static MupdateRecord decode(String name, String value) {
        if (value == null) {
            return null;
        }
        int nul = value.indexOf('\0');
        return new MupdateRecord(name, value.substring(1, nul), value.substring(nul + 1),
                value.charAt(0) == 'A' ? MailboxState.ACTIVE : MailboxState.RESERVED);
    }

    private java.util.stream.Stream<MupdateRecord> records(java.util.stream.Stream<Map.Entry<String, String>> entries) {
        return entries.map(e -> decode(e.getKey(), e.getValue()));
    }

    /**
     * Every entry (or those at locations starting with {@code locationPrefix}) in byte order of the names, as
     * a MUPDATE dump must be (Cyrus slaves merge it by strcmp; Cyrus names are ASCII, where Java's order is
     * the same). One pass over the cached entries (no lookup per name: at 1M entries those cost more than the
     * sort), then their references sorted by name; the entries themselves are never copied.
     */
    public void forEachInOrder(String locationPrefix, Consumer<MupdateRecord> each) {
        forEachMatchingInOrder(r -> locationPrefix == null || r.location().startsWith(locationPrefix), each);
    }

    /** As above, only the entries {@code keep} accepts: they are chosen before the sort, which then has less to do. */
    public void forEachMatchingInOrder(java.util.function.Predicate<MupdateRecord> keep, Consumer<MupdateRecord> each) {
        MupdateRecord[] records;
        if (cutOff) { // (LIST on a node that was frozen through a failover: its replica may be stale)
            List<MupdateRecord> listed = new java.util.ArrayList<>();
            forEachListed(page -> page.stream().filter(keep).forEach(listed::add));
            records = listed.toArray(MupdateRecord[]::new);
        } else {
            try (var entries = cache.entrySet().stream()) {
                records = records(entries).filter(keep).toArray(MupdateRecord[]::new);
            }
        }
        java.util.Arrays.parallelSort(records, java.util.Comparator.comparing(MupdateRecord::name));
        for (MupdateRecord r : records) {
            each.accept(r);
        }
    }

    /** One page of {@link #page}: the entries in name order, how many match in all, and whether more follow. */
    public record Page(List<MupdateRecord> items, long matching, boolean more) {
    }

    /**
     * The entries whose names start with {@code prefix} and sort after {@code after} (null: from the start), at
     * most {@code limit} of them, in name order: one pass over the cache keeping the {@code limit} smallest (no
     * sort of the whole list, so a page of a 1M list costs one scan).
     */
    public Page page(String prefix, String after, int limit) {
        java.util.PriorityQueue<MupdateRecord> smallest = new java.util.PriorityQueue<>(
                java.util.Comparator.comparing(MupdateRecord::name).reversed());
        long[] matching = {0, 0}; // with the prefix; of those, after the cursor
        try (var entries = cache.entrySet().stream()) {
            entries.forEach(e -> {
                if (!e.getKey().startsWith(prefix)) {
                    return;
                }
                MupdateRecord r = decode(e.getKey(), e.getValue());
                matching[0]++;
                if (after != null && r.name().compareTo(after) <= 0) {
                    return;
                }
                matching[1]++;
                smallest.add(r);
                if (smallest.size() > limit) {
                    smallest.poll();
                }
            });
        }
        List<MupdateRecord> items = new java.util.ArrayList<>(smallest);
        items.sort(java.util.Comparator.comparing(MupdateRecord::name));
        return new Page(items, matching[0], matching[1] > items.size());
    }

    /** Mailboxes per server, over the whole list. */
    public Map<String, Long> countsByServer() {
        try (var values = cache.values().stream()) {
            return values.map(v -> MailboxLocation.serverOf(v.substring(1, v.indexOf('\0'))))
                    .collect(java.util.stream.Collectors.groupingBy(s -> s, java.util.TreeMap::new,
                            java.util.stream.Collectors.counting()));
        }
    }

    /** The cached names not in {@code keep} (what a full resync did not send again). */
    public List<String> namesNotIn(Set<String> keep) {
        try (var keys = cache.keySet().stream()) {
            return keys.filter(k -> !keep.contains(k)).toList();
        }
    }

    public long size() {
        return cache.size();
    }
}
