package org.corvid.ejb.mupdate;

import jakarta.annotation.PostConstruct;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.corvid.ejb.cluster.MasterRole;
import org.corvid.ejb.node.Jdbc;
import org.corvid.persistence.mupdate.MailboxLocation;
import org.corvid.persistence.mupdate.MailboxState;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.id.IdentifierGenerator;
import org.hibernate.jdbc.Work;
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

    /** The roles that may change the list ({@code corvid.mupdate.writer-roles}), read once per instance. */
    private List<String> writerRoles;

    @PostConstruct
    void init() {
        writerRoles = Arrays.stream(System.getProperty("corvid.mupdate.writer-roles", "corvid-admin,corvid-backend")
                .split(",")).map(String::trim).filter(r -> !r.isEmpty()).toList();
    }

    /** Only murder principals (roles in {@code corvid.mupdate.writer-roles}) may change the list. */
    public boolean callerMayWrite() {
        return writerRoles.stream().anyMatch(context::isCallerInRole);
    }

    /** One change of the list, as a MUPDATE command asks it. */
    public record Write(Kind kind, String name, String location, String acl) {
        /** EXPIRE (not a MUPDATE command): deletes a reservation older than {@code corvid.mupdate.reservation-expiry-seconds}, nothing else. */
        public enum Kind { RESERVE, ACTIVATE, DEACTIVATE, DELETE, EXPIRE }
    }

    /**
     * Applies {@code writes} in order in one transaction (group commit; {@link MupdateWriter} is the only
     * caller) and returns each one's outcome. When the transaction has committed, their changes are published
     * in the same order; a rolled-back batch publishes nothing. The rows are read and written with plain JDBC on
     * the transaction's connection (one statement per write, in order): the writer's cost per batch is most of
     * the master's CPU, and entities added a query plan, a flush and dirty checking to every batch.
     */
    public List<Outcome> apply(List<Write> writes) {
        master.fence(); // in a cluster: commits only while this node holds the master lease
        SessionImplementor session = em.unwrap(SessionImplementor.class);
        IdentifierGenerator ids = (IdentifierGenerator) session.getFactory().getMappingMetamodel()
                .getEntityDescriptor(MailboxLocation.class).getGenerator();
        Batch batch = new Batch(() -> ((Number) ids.generate(session, null)).longValue());
        session.doWork(c -> batch.read(c, writes.stream().map(Write::name).distinct().toList()));
        List<Outcome> outcomes = new ArrayList<>(writes.size());
        for (Write w : writes) {
            outcomes.add(batch.apply(w));
        }
        session.doWork(c -> {
            for (Work statement : batch.statements) {
                statement.execute(c);
            }
        });
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

    /** A row of {@code mailbox_location} as a batch reads and changes it. */
    private static final class Row {
        final long id;
        final String name;
        String location;
        String acl;
        MailboxState state;
        Instant lastChange;

        Row(long id, String name, String location, String acl, MailboxState state, Instant lastChange) {
            this.id = id;
            this.name = name;
            this.location = location;
            this.acl = acl;
            this.state = state;
            this.lastChange = lastChange;
        }

        String server() {
            return MailboxLocation.serverOf(location);
        }

        MupdateRecord record() {
            return new MupdateRecord(name, location, acl, state);
        }
    }

    /**
     * The entries a batch writes, read with one query per 500 names; the statements that write its outcomes, in
     * order (decided first, then run: the id generator must not run inside a JDBC work); the changes it made.
     */
    private static final class Batch {
        final Map<String, Row> entries = new HashMap<>();
        final List<Work> statements = new ArrayList<>();
        final List<MupdateChange> made = new ArrayList<>();
        final java.util.function.LongSupplier ids;

        Batch(java.util.function.LongSupplier ids) {
            this.ids = ids;
        }

        void read(Connection c, List<String> names) throws SQLException {
            for (int i = 0; i < names.size(); i += 500) {
                List<String> some = names.subList(i, Math.min(names.size(), i + 500));
                try (PreparedStatement ps = c.prepareStatement("SELECT id, name, location, acl, state, last_change "
                        + "FROM mailbox_location WHERE name IN (" + "?, ".repeat(some.size() - 1) + "?)")) {
                    for (int k = 0; k < some.size(); k++) {
                        ps.setString(k + 1, some.get(k));
                    }
                    try (ResultSet r = ps.executeQuery()) {
                        while (r.next()) {
                            Row row = new Row(r.getLong(1), r.getString(2), r.getString(3), r.getString(4),
                                    MailboxState.valueOf(r.getString(5)), r.getObject(6, OffsetDateTime.class).toInstant());
                            entries.put(row.name, row);
                        }
                    }
                }
            }
        }

        Outcome apply(Write w) {
            Row l = entries.get(w.name());
            return switch (w.kind()) {
                // RESERVE: a new name is reserved, or a reservation repeated at the same location; an active entry
                // stays (RFC 3656 3.2: the name exists), whatever the location: a backend that lost track of a
                // mailbox must not knock the master's entry back to RESERVED
                case RESERVE -> l != null && (l.state == MailboxState.ACTIVE || !l.location.equals(w.location()))
                        ? Outcome.EXISTS
                        : store(l, w.name(), w.location(), "", MailboxState.RESERVED);
                // ACTIVATE: creates or replaces the entry, active
                case ACTIVATE -> store(l, w.name(), w.location(), w.acl(), MailboxState.ACTIVE);
                // DEACTIVATE: an active entry becomes reserved at the new location (the start of a move)
                case DEACTIVATE -> l == null ? Outcome.DOESNT_EXIST
                        : l.state != MailboxState.ACTIVE ? Outcome.NOT_ACTIVE
                        : store(l, w.name(), w.location(), "", MailboxState.RESERVED);
                case DELETE -> l == null ? Outcome.DOESNT_EXIST : remove(l);
                // EXPIRE: only if it is still a reservation, and still old (it may have been activated meanwhile)
                case EXPIRE -> l == null ? Outcome.DOESNT_EXIST
                        : l.state != MailboxState.RESERVED || !l.lastChange.isBefore(expiredBefore())
                        ? Outcome.EXISTS : remove(l);
            };
        }

        private Outcome remove(Row l) {
            long id = l.id;
            statements.add(c -> Jdbc.update(c, "DELETE FROM mailbox_location WHERE id = ?", id));
            entries.remove(l.name);
            made.add(new MupdateChange(l.name, null, l.server()));
            return Outcome.DONE;
        }

        /** Inserts or updates the entry; the version moves as an entity update moves it. */
        private Outcome store(Row l, String name, String location, String acl, MailboxState state) {
            String oldServer = l == null ? null : l.server();
            Instant now = Instant.now();
            String server = MailboxLocation.serverOf(location);
            String partition = MailboxLocation.partitionOf(location);
            OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
            if (l == null) {
                l = new Row(ids.getAsLong(), name, location, acl, state, now);
                long id = l.id;
                String uniqueId = UUID.randomUUID().toString();
                statements.add(c -> Jdbc.update(c, "INSERT INTO mailbox_location (id, name, location, server, "
                        + "partition_name, acl, state, unique_id, version, last_change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                        id, name, location, server, partition, acl, state.name(), uniqueId, at));
                entries.put(name, l);
            } else {
                l.location = location;
                l.acl = acl;
                l.state = state;
                l.lastChange = now;
                long id = l.id;
                statements.add(c -> Jdbc.update(c, "UPDATE mailbox_location SET location = ?, server = ?, "
                        + "partition_name = ?, acl = ?, state = ?, last_change = ?, version = version + 1 WHERE id = ?",
                        location, server, partition, acl, state.name(), at, id));
            }
            made.add(new MupdateChange(name, l.record(), oldServer));
            return Outcome.DONE;
        }
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
