package org.corvid.ejb.mupdate;

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
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.jca.api.mupdate.MupdateConnectionFactory;
import org.corvid.jca.api.mupdate.MupdateEntry;
import org.corvid.jca.api.mupdate.MupdateSubscriber;
import org.corvid.jca.api.mupdate.MupdateSubscription;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Slave mode: on a node without the {@code mupdate} role and with {@code corvid.mupdate.master=host:port}, an
 * UPDATE stream from that master (Corvid or Cyrus) keeps the {@code corvid-locations} cache and this node's own
 * UPDATE subscribers current. After each (re)connection the master's full list replaces the cache: entries it
 * no longer sends are deleted, changed ones published as changes.
 */
@Singleton
@Startup
@DependsOn("LocationCache")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class MupdateSlave {
    private static final Logger LOG = Logger.getLogger(MupdateSlave.class);

    @Resource(lookup = MupdateConnectionFactory.JNDI_NAME)
    private MupdateConnectionFactory masters;

    @EJB
    private NodeConfig node;

    @EJB
    private LocationCache locations;

    @EJB
    private MupdateChanges changes;

    private volatile MupdateSubscription subscription;

    @PostConstruct
    void start() {
        String master = System.getProperty("corvid.mupdate.master", "");
        if (node.has(NodeConfig.Role.MUPDATE) || master.isBlank()) {
            return;
        }
        LOG.infof("MUPDATE slave of %s: streaming the mailbox list", masters.master());
        subscription = masters.subscribe(Set.of(), new Feed());
    }

    @PreDestroy
    void stop() {
        if (subscription != null) {
            subscription.close();
        }
    }

    /** True if this node is a slave (has a master to stream from). */
    public boolean active() {
        return subscription != null;
    }

    /** True once the master's full list has arrived on the current connection. */
    public boolean synced() {
        return subscription != null && subscription.synced();
    }

    /**
     * True once the master's full list has arrived at least once: the cache holds the murder, possibly a little
     * stale while the master is away, and clients may log in (only the first sync gates them, issue 5).
     */
    public boolean hasList() {
        return everSynced;
    }

    private volatile boolean everSynced;

    /** The master, {@code host:port}, or null if this node is not a slave. */
    public String master() {
        return subscription == null ? null : subscription.master();
    }

    /** The NOOP freshness barrier with the master (see {@link MupdateSubscription#barrier}). */
    public boolean barrier(Duration timeout) {
        return subscription != null && subscription.barrier(timeout);
    }

    /** Applies the stream to the cache and the local subscribers, on the subscription's thread. */
    private final class Feed implements MupdateSubscriber {
        private Set<String> resent;

        @Override
        public void resyncStarted() {
            resent = new HashSet<>();
        }

        @Override
        public void entry(MupdateEntry e) {
            MupdateRecord old = locations.lookup(e.name());
            if (e.kind() == MupdateEntry.Kind.DELETE) {
                if (old != null) {
                    changes.publish(new MupdateChange(e.name(), null, old.server()));
                }
                return;
            }
            if (resent != null) {
                resent.add(e.name());
            }
            MupdateRecord now = MupdateRecord.of(e);
            if (!Objects.equals(now, old)) {
                changes.publish(new MupdateChange(e.name(), now, old == null ? null : old.server()));
            }
        }

        @Override
        public void resyncComplete() {
            var gone = locations.namesNotIn(resent);
            for (String name : gone) {
                MupdateRecord old = locations.lookup(name);
                if (old != null) {
                    changes.publish(new MupdateChange(name, null, old.server()));
                }
            }
            LOG.infof("MUPDATE slave synchronized with %s: %d entries, %d removed", masters.master(),
                    resent.size(), gone.size());
            resent = null;
            everSynced = true;
        }

        @Override
        public void disconnected(String reason) {
            resent = null;
        }
    }
}
