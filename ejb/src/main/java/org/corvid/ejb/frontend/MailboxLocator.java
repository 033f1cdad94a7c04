package org.corvid.ejb.frontend;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.time.Duration;
import org.corvid.ejb.location.LocationCache;
import org.corvid.ejb.mupdate.MupdateRecord;
import org.corvid.ejb.mupdate.MupdateSlave;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.persistence.mupdate.MailboxState;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * Where a mailbox lives, for the frontend: from the {@code corvid-locations} cache (no database, no network on
 * a hit). A miss or a RESERVED entry is checked again after the NOOP barrier with the master, so a mailbox
 * created a moment ago elsewhere is found; "unknown" is answered only when the master confirms it, never from a
 * cold cache (a slave that has not finished its first sync, or whose master does not answer, says
 * {@link Kind#UNAVAILABLE}).
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class MailboxLocator {
    private static final Duration BARRIER = Duration.ofSeconds(5);

    public enum Kind { LOCAL, REMOTE, RESERVED, UNKNOWN, UNAVAILABLE }

    /** The answer: {@code server} is set for LOCAL and REMOTE. */
    public record Route(Kind kind, String server) {
    }

    @EJB
    private LocationCache cache;

    @EJB
    private MupdateSlave slave;

    @EJB
    private NodeConfig node;

    /**
     * False while this node is a slave that has not yet received its master's whole list: it refuses logins
     * until then, rather than show a client an empty or partial murder. Once it has the list, a master that
     * goes away does not stop logins: the cache serves on while the stream reconnects.
     */
    public boolean ready() {
        return !slave.active() || slave.hasList();
    }

    /**
     * After a change made through a backend (CREATE, DELETE, RENAME): waits until this node's copy of the list
     * has it (the NOOP barrier), so the client's next command (a LIST) sees it.
     */
    public void catchUp() {
        if (slave.active()) {
            slave.barrier(BARRIER);
        }
    }

    /**
     * After a CREATE through backend {@code server}: waits until this node's copy of the list has {@code name}
     * active there. The master sends the change to its streams as it commits, before the backend's OK, so it
     * is usually here already and no barrier is needed (a CREATE through a frontend then costs no round trip
     * to the master); if it has not come within 50 ms, the NOOP barrier.
     */
    public void awaitCreated(String name, String server) {
        if (!slave.active()) {
            return; // the co-located master updates the cache as it commits
        }
        long deadline = System.nanoTime() + CREATED_WAIT_NANOS;
        while (true) {
            MupdateRecord r = cache.lookup(name);
            if (r != null && r.state() == MailboxState.ACTIVE && r.server().equalsIgnoreCase(server)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                catchUp();
                return;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                catchUp();
                return;
            }
        }
    }

    private static final long CREATED_WAIT_NANOS = 50_000_000L;

    /**
     * The route to {@code mailbox}, waiting up to {@code max} while it is RESERVED (being created, or in a live
     * move's final phase, which lasts a second or two): callers hold a delivery or a command rather than refuse it.
     */
    public Route locateHeld(String mailbox, Duration max) {
        Route route = locate(mailbox);
        long deadline = System.nanoTime() + max.toNanos();
        while (route.kind() == Kind.RESERVED && System.nanoTime() < deadline) {
            try {
                Thread.sleep(HOLD_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            route = locate(mailbox);
        }
        return route;
    }

    private static final long HOLD_POLL_MILLIS = 100;

    /** The route to {@code mailbox} (internal name, e.g. {@code user.bob}). */
    public Route locate(String mailbox) {
        MupdateRecord r = cache.lookup(mailbox);
        boolean slaveNode = slave.active();
        if (r == null || r.state() == MailboxState.RESERVED) {
            if (slaveNode) {
                if (!slave.synced() || !slave.barrier(BARRIER)) {
                    return new Route(Kind.UNAVAILABLE, null);
                }
                r = cache.lookup(mailbox);
            } else if (!node.has(NodeConfig.Role.MUPDATE)) {
                return new Route(Kind.UNAVAILABLE, null); // no list to ask: neither master nor slave
            }
        }
        if (r == null) {
            return new Route(Kind.UNKNOWN, null);
        }
        if (r.state() == MailboxState.RESERVED) {
            return new Route(Kind.RESERVED, r.server());
        }
        boolean here = node.has(NodeConfig.Role.BACKEND) && r.server().equalsIgnoreCase(node.serverName());
        return new Route(here ? Kind.LOCAL : Kind.REMOTE, r.server());
    }
}
