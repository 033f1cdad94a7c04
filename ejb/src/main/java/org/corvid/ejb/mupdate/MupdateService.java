package org.corvid.ejb.mupdate;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.corvid.persistence.mupdate.MailboxLocation;
import org.corvid.persistence.mupdate.MailboxState;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The MUPDATE master's list (RFC 3656 semantics, Cyrus wording). Every write is one JTA transaction that is
 * committed when the method returns, before the caller answers {@code OK}; its change reaches the location
 * cache and UPDATE subscribers only after the commit, and the changes of one name in commit order.
 */
@Stateless
@PermitAll
@DeclareRoles({"corvid-admin", "corvid-backend"})
@SecurityDomain("corvid")
public class MupdateService {
    /** Outcome of a write, worded as Cyrus words it. */
    public enum Outcome {
        DONE("OK \"done\""),
        EXISTS("NO \"mailbox already exists\""),
        NOT_ACTIVE("NO \"mailbox not currently active\""),
        DOESNT_EXIST("NO \"mailbox doesn't exist\"");

        private final String reply;

        Outcome(String reply) {
            this.reply = reply;
        }

        public String reply() {
            return reply;
        }
    }

    @PersistenceContext(unitName = "mupdate")
    private EntityManager em;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    @Resource
    private SessionContext context;

    @EJB
    private MupdateChanges changes;

    /** Only murder principals (roles in {@code corvid.mupdate.writer-roles}) may change the list. */
    public boolean callerMayWrite() {
        return Arrays.stream(System.getProperty("corvid.mupdate.writer-roles", "corvid-admin,corvid-backend")
                        .split(","))
                .map(String::trim).filter(r -> !r.isEmpty())
                .anyMatch(context::isCallerInRole);
    }

    /** RESERVE: a new name is reserved; a name already at this location becomes reserved again; else refused. */
    public Outcome reserve(String name, String location) {
        MailboxLocation l = lockAndFind(name);
        if (l != null && !l.getLocation().equals(location)) {
            return Outcome.EXISTS;
        }
        return store(l, name, location, "", MailboxState.RESERVED);
    }

    /** ACTIVATE: creates or replaces the entry, active. */
    public Outcome activate(String name, String location, String acl) {
        return store(lockAndFind(name), name, location, acl, MailboxState.ACTIVE);
    }

    /** DEACTIVATE: an active entry becomes reserved at {@code location} (the start of a move). */
    public Outcome deactivate(String name, String location) {
        MailboxLocation l = lockAndFind(name);
        if (l == null) {
            return Outcome.DOESNT_EXIST;
        }
        if (l.getState() != MailboxState.ACTIVE) {
            return Outcome.NOT_ACTIVE;
        }
        return store(l, name, location, "", MailboxState.RESERVED);
    }

    public Outcome delete(String name) {
        MailboxLocation l = lockAndFind(name);
        if (l == null) {
            return Outcome.DOESNT_EXIST;
        }
        String oldServer = l.getServer();
        em.remove(l);
        published.set(new MupdateChange(name, null, oldServer));
        return Outcome.DONE;
    }

    private Outcome store(MailboxLocation l, String name, String location, String acl, MailboxState state) {
        String oldServer = l == null ? null : l.getServer();
        if (l == null) {
            l = new MailboxLocation(name, location, acl, state);
            em.persist(l);
        } else {
            l.set(location, acl, state);
        }
        published.set(new MupdateChange(name, MupdateRecord.of(l), oldServer));
        return Outcome.DONE;
    }

    /** Where the running write leaves the change it will publish if it commits (one write per call). */
    private AtomicReference<MupdateChange> published;

    /**
     * Takes the name's lock for the rest of this transaction, then reads the entry. When the transaction ends,
     * the change (if it committed) is published and only then the lock released, so two writes of one name
     * publish in the order they committed.
     */
    private MailboxLocation lockAndFind(String name) {
        ReentrantLock lock = changes.lockFor(name);
        lock.lock();
        AtomicReference<MupdateChange> change = new AtomicReference<>();
        published = change;
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                try {
                    if (status == Status.STATUS_COMMITTED && change.get() != null) {
                        changes.publish(change.get());
                    }
                } finally {
                    lock.unlock();
                }
            }
        });
        return find(name);
    }

    private MailboxLocation find(String name) {
        return em.createNamedQuery(MailboxLocation.BY_NAME, MailboxLocation.class)
                .setParameter("name", name).getResultStream().findFirst().orElse(null);
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public MupdateRecord lookup(String name) {
        MailboxLocation l = find(name);
        return l == null ? null : MupdateRecord.of(l);
    }

    /**
     * One page of the list in name order, after {@code after} ("" for the first page), optionally only the
     * locations starting with {@code locationPrefix}. Callers page until a page comes back short.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<MupdateRecord> page(String after, String locationPrefix, int size) {
        var query = locationPrefix == null
                ? em.createNamedQuery(MailboxLocation.PAGE, Object[].class)
                : em.createNamedQuery(MailboxLocation.PAGE_BY_LOCATION_PREFIX, Object[].class)
                        .setParameter("prefix", likeEscape(locationPrefix) + "%");
        return query.setParameter("after", after).setMaxResults(size).getResultStream()
                .map(row -> new MupdateRecord((String) row[0], (String) row[1], (String) row[2], (MailboxState) row[3]))
                .toList();
    }

    private static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** Entries in the list. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long size() {
        return em.createNamedQuery(MailboxLocation.COUNT, Long.class).getSingleResult();
    }
}
