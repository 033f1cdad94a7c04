package org.corvid.ejb.mupdate;

import jakarta.annotation.Resource;
import jakarta.annotation.security.DeclareRoles;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Asynchronous;
import jakarta.ejb.AsyncResult;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.corvid.ejb.cluster.MasterRole;
import org.corvid.persistence.mupdate.MailboxLocation;
import org.corvid.persistence.mupdate.MailboxState;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The MUPDATE master's list (RFC 3656 semantics, Cyrus wording). Writes arrive in batches from the single
 * {@link MupdateWriter}; each batch is one JTA transaction, committed before any of its commands is answered
 * {@code OK}; its changes reach the location cache and UPDATE subscribers only after the commit, in commit
 * order.
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

    @EJB
    private MasterRole master;

    /** Only murder principals (roles in {@code corvid.mupdate.writer-roles}) may change the list. */
    public boolean callerMayWrite() {
        return Arrays.stream(System.getProperty("corvid.mupdate.writer-roles", "corvid-admin,corvid-backend")
                        .split(","))
                .map(String::trim).filter(r -> !r.isEmpty())
                .anyMatch(context::isCallerInRole);
    }

    /** One change of the list, as a MUPDATE command asks it. */
    public record Write(Kind kind, String name, String location, String acl) {
        /** EXPIRE (not a MUPDATE command): deletes a reservation older than {@code corvid.mupdate.reservation-expiry-seconds}, nothing else. */
        public enum Kind { RESERVE, ACTIVATE, DEACTIVATE, DELETE, EXPIRE }
    }

    /**
     * Applies {@code writes} in order in one transaction (group commit; {@link MupdateWriter} is the only
     * caller) and returns each one's outcome. When the transaction has committed, their changes are published
     * in the same order; a rolled-back batch publishes nothing.
     */
    public List<Outcome> apply(List<Write> writes) {
        master.fence(); // in a cluster: commits only while this node holds the master lease
        Batch batch = new Batch(writes);
        List<Outcome> outcomes = new ArrayList<>(writes.size());
        for (Write w : writes) {
            outcomes.add(apply(w, batch));
        }
        List<MupdateChange> made = batch.made;
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                boolean published = status == Status.STATUS_ROLLEDBACK; // nothing to publish
                if (status == Status.STATUS_COMMITTED) {
                    try {
                        changes.publishAll(made);
                        published = true;
                    } catch (RuntimeException e) {
                        org.jboss.logging.Logger.getLogger(MupdateService.class).errorf(e,
                                "committed changes of %d mailboxes not all published to the location cache", made.size());
                    }
                }
                master.published(published);
            }
        });
        return outcomes;
    }

    /**
     * The entries a batch writes, read with one query (not one per write, each of which would also flush the
     * batch's earlier writes), and the changes it made.
     */
    private final class Batch {
        final Map<String, MailboxLocation> entries = new HashMap<>();
        final Set<String> removed = new HashSet<>();
        final List<MupdateChange> made = new ArrayList<>();

        Batch(List<Write> writes) {
            List<String> names = writes.stream().map(Write::name).distinct().toList();
            for (int i = 0; i < names.size(); i += 500) {
                em.createNamedQuery(MailboxLocation.BY_NAMES, MailboxLocation.class)
                        .setParameter("names", names.subList(i, Math.min(names.size(), i + 500)))
                        .getResultList().forEach(l -> entries.put(l.getName(), l));
            }
        }
    }

    private Outcome apply(Write w, Batch batch) {
        MailboxLocation l = batch.entries.get(w.name());
        return switch (w.kind()) {
            // RESERVE: a new name is reserved, or a reservation repeated at the same location; an active entry
            // stays (RFC 3656 3.2: the name exists), whatever the location: a backend that lost track of a
            // mailbox must not knock the master's entry back to RESERVED
            case RESERVE -> l != null && (l.getState() == MailboxState.ACTIVE || !l.getLocation().equals(w.location()))
                    ? Outcome.EXISTS
                    : store(l, w.name(), w.location(), "", MailboxState.RESERVED, batch);
            // ACTIVATE: creates or replaces the entry, active
            case ACTIVATE -> store(l, w.name(), w.location(), w.acl(), MailboxState.ACTIVE, batch);
            // DEACTIVATE: an active entry becomes reserved at the new location (the start of a move)
            case DEACTIVATE -> l == null ? Outcome.DOESNT_EXIST
                    : l.getState() != MailboxState.ACTIVE ? Outcome.NOT_ACTIVE
                    : store(l, w.name(), w.location(), "", MailboxState.RESERVED, batch);
            case DELETE -> l == null ? Outcome.DOESNT_EXIST : remove(l, batch);
            // EXPIRE: only if it is still a reservation, and still old (it may have been activated meanwhile)
            case EXPIRE -> l == null ? Outcome.DOESNT_EXIST
                    : l.getState() != MailboxState.RESERVED || !l.getLastChange().isBefore(expiredBefore())
                    ? Outcome.EXISTS : remove(l, batch);
        };
    }

    private Outcome remove(MailboxLocation l, Batch batch) {
        em.remove(l);
        batch.entries.remove(l.getName());
        batch.removed.add(l.getName());
        batch.made.add(new MupdateChange(l.getName(), null, l.getServer()));
        return Outcome.DONE;
    }

    private Outcome store(MailboxLocation l, String name, String location, String acl, MailboxState state,
                          Batch batch) {
        String oldServer = l == null ? null : l.getServer();
        if (l == null) {
            if (batch.removed.contains(name)) {
                em.flush(); // the DELETE first: Hibernate would otherwise insert the new row before it
            }
            l = new MailboxLocation(name, location, acl, state);
            em.persist(l);
            batch.entries.put(name, l);
        } else {
            l.set(location, acl, state);
        }
        batch.made.add(new MupdateChange(name, MupdateRecord.of(l), oldServer));
        return Outcome.DONE;
    }

    private MailboxLocation find(String name) {
        return em.createNamedQuery(MailboxLocation.BY_NAME, MailboxLocation.class)
                .setParameter("name", name).getResultStream().findFirst().orElse(null);
    }

    /** How long a mailbox may stay RESERVED ({@code corvid.mupdate.reservation-expiry-seconds}, default 3600). */
    static java.time.Duration reservationExpiry() {
        return java.time.Duration.ofSeconds(Long.getLong("corvid.mupdate.reservation-expiry-seconds", 3600));
    }

    static java.time.Instant expiredBefore() {
        return java.time.Instant.now().minus(reservationExpiry());
    }

    /** Names RESERVED for longer than the expiry, at most {@code limit}. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<String> expiredReservations(int limit) {
        return em.createNamedQuery(MailboxLocation.RESERVED_BEFORE, String.class)
                .setParameter("before", expiredBefore()).setMaxResults(limit).getResultList();
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
                .map(MupdateService::record)
                .toList();
    }

    /** {@link #page} on an EJB async thread: the dump reads the next page while it writes this one. */
    @Asynchronous
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Future<List<MupdateRecord>> pageAsync(String after, String locationPrefix, int size) {
        return new AsyncResult<>(page(after, locationPrefix, size));
    }

    private static MupdateRecord record(Object[] row) {
        return new MupdateRecord((String) row[0], (String) row[1], (String) row[2], (MailboxState) row[3]);
    }

    private static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** Entries changed since {@code since}, in no particular order. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<MupdateRecord> changedSince(java.time.Instant since) {
        return em.createNamedQuery(MailboxLocation.CHANGED_SINCE, Object[].class).setParameter("since", since)
                .getResultStream().map(MupdateService::record).toList();
    }

    /** Entries in the list. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long size() {
        return em.createNamedQuery(MailboxLocation.COUNT, Long.class).getSingleResult();
    }
}
