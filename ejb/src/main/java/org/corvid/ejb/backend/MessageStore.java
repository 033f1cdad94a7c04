package org.corvid.ejb.backend;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.corvid.ejb.node.Jdbc;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.persistence.mailstore.Mailbox;
import org.corvid.persistence.mailstore.Message;
import org.corvid.persistence.mailstore.MessageHeader;
import org.hibernate.engine.spi.SessionImplementor;
import org.hibernate.id.IdentifierGenerator;
import org.hibernate.persister.entity.EntityPersister;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * Messages of this backend's mailboxes: metadata in the {@code mailstore} unit, bytes in the {@link Spool}.
 * An appended message's file is durable before its row commits (a rolled-back append deletes the file);
 * expunged messages' files are deleted after the commit.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class MessageStore {
    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    @Resource
    private SessionContext context;

    @EJB
    private NodeConfig node;

    @EJB
    private MailboxEvents events;

    @EJB
    private Quotas quotas;

    /** {@link #append} result: the quota root of the mailbox would be exceeded. */
    public static final long OVER_QUOTA = -2;

    private Spool spool;

    @PostConstruct
    void init() {
        spool = new Spool(new Partitions(node.dataDir()));
    }

    /** A message as IMAP sees it. */
    public record Info(long uid, long modseq, Set<String> flags, OffsetDateTime internalDate, long size,
                       String partition, String file) {
        public boolean has(String flag) {
            return flags.stream().anyMatch(f -> f.equalsIgnoreCase(flag));
        }
    }

    /** How STORE changes flags. */
    public enum FlagChange { REPLACE, ADD, REMOVE }

    /**
     * Appends a message; returns its UID, -1 if there is no such mailbox, or {@link #OVER_QUOTA}. The spool file
     * is written and forced before the mailbox's write lock is taken, so concurrent deliveries to one mailbox
     * overlap their disk syncs and only the row work is serial. The quota is checked under the lock, so
     * concurrent appends cannot overrun it together.
     */
    public long append(String mailboxName, byte[] content, Set<String> flags, OffsetDateTime internalDate) {
        return append(mailboxName, MessageSource.of(content), flags, internalDate);
    }

    /** As {@link #append(String, byte[], Set, OffsetDateTime)}, streaming the message from {@code content}. */
    public long append(String mailboxName, MessageSource content, Set<String> flags, OffsetDateTime internalDate) {
        Staged staged = stage(mailboxName, content, flags, internalDate);
        return staged == null ? -1 : store(List.of(staged))[0];
    }

    /**
     * A message whose spool file is written and forced, not yet in its mailbox: {@link #store} adds it, and
     * deletes the file if it ends up not stored (the mailbox went, over quota, or a rollback).
     */
    public record Staged(Place place, String file, long size, byte[] header,
                         Set<String> flags, OffsetDateTime internalDate) {
    }

    /**
     * Where a mailbox's messages go: its partition, and the unique id that tells it from a later mailbox of the
     * same name ({@link #store} checks it under the mailbox's lock).
     */
    public record Place(String mailbox, String partition, String uniqueId) {
    }

    /** The mailbox's {@link Place}; null if there is no such mailbox here (or it is moving). */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Place place(String mailboxName) {
        return em.createNamedQuery(Mailbox.PLACE_BY_NAME, Object[].class).setParameter("name", mailboxName)
                .getResultStream().findFirst().map(r -> new Place(mailboxName, (String) r[0], (String) r[1]))
                .orElse(null);
    }

    /**
     * Writes the message's spool file durably, before any lock is taken (the slow part, done in parallel by
     * concurrent deliveries); null if there is no such mailbox.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Staged stage(String mailboxName, MessageSource content, Set<String> flags, OffsetDateTime internalDate) {
        Place place = place(mailboxName);
        return place == null ? null : stage(place, content, flags, internalDate);
    }

    /**
     * As {@link #stage(String, MessageSource, Set, OffsetDateTime)} into a place already looked up (LMTP's
     * RCPT did): if the mailbox has gone since, {@link #store} finds it so and deletes the file.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Staged stage(Place place, MessageSource content, Set<String> flags, OffsetDateTime internalDate) {
        String file = spool.write(place.partition(), place.uniqueId(), content);
        byte[] head = content.head(MessageHeader.MAX_BYTES + 1);
        int headerEnd = headerEnd(head);
        byte[] header = headerEnd <= MessageHeader.MAX_BYTES && (headerEnd < head.length || head.length == content.size())
                ? Arrays.copyOfRange(head, 0, headerEnd) : null;
        return new Staged(place, file, content.size(), header, flags, internalDate);
    }

    /**
     * Adds staged messages to their mailboxes in this one transaction (group commit); returns each one's UID,
     * -1 if its mailbox is gone, or {@link #OVER_QUOTA}. Each mailbox's write lock is held to the commit, and
     * the quota is checked under it, so concurrent appends cannot overrun it together.
     */
    public long[] store(List<Staged> staged) {
        return store(staged, true);
    }

    private long[] store(List<Staged> staged, boolean checkQuota) {
        long[] uids = new long[staged.size()];
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                // the files of copies not stored go; after an unknown outcome (e.g. the connection dropped during
                // the commit) they stay, as rows may reference them: the spool sweep removes unreferenced ones
                boolean committed = status == Status.STATUS_COMMITTED;
                Set<String> changed = new java.util.HashSet<>();
                for (int i = 0; i < staged.size(); i++) {
                    if (committed && uids[i] > 0) {
                        changed.add(staged.get(i).place().mailbox());
                    } else if (committed || status == Status.STATUS_ROLLEDBACK) {
                        spool.delete(staged.get(i).place().partition(), staged.get(i).file());
                    }
                }
                changed.forEach(events::changed);
            }
        });
        em.flush(); // what this transaction changed through entities reaches the connection first
        SessionImplementor session = em.unwrap(SessionImplementor.class);
        // each mailbox is locked, and its quota root read, once per batch, in name order (no deadlock between
        // two writers); the roots' usage then grows here as copies are accepted
        Map<String, Locked> locked = new HashMap<>();
        Map<String, String> rootOf = new HashMap<>();
        Map<String, Quotas.Quota> roots = new HashMap<>();
        for (String name : new java.util.TreeSet<>(staged.stream().map(x -> x.place().mailbox()).toList())) {
            Locked m = session.doReturningWork(c -> Locked.lock(c, name));
            if (m != null) {
                locked.put(name, m);
                Quotas.Quota quota = checkQuota ? quotas.rootOf(name) : null;
                if (quota != null) {
                    rootOf.put(name, quota.root());
                    roots.putIfAbsent(quota.root(), quota);
                }
            }
        }
        IdentifierGenerator ids = (IdentifierGenerator) session.getFactory().getMappingMetamodel()
                .getEntityDescriptor(Message.class).getGenerator();
        List<Object[]> rows = new ArrayList<>();
        List<Object[]> headers = new ArrayList<>();
        for (int i = 0; i < staged.size(); i++) {
            Staged s = staged.get(i);
            Locked m = locked.get(s.place().mailbox());
            if (m == null || !m.uniqueId.equals(s.place().uniqueId())) {
                uids[i] = -1; // deleted (or replaced) meanwhile
                continue;
            }
            String root = rootOf.get(s.place().mailbox());
            if (root != null) {
                Quotas.Quota quota = roots.get(root);
                if (!quota.allows(s.size())) {
                    uids[i] = OVER_QUOTA;
                    continue;
                }
                roots.put(root, quota.plus(s.size()));
            }
            long id = ((Number) ids.generate(session, null)).longValue();
            uids[i] = m.uidNext++;
            m.highestModseq++;
            m.addedBytes += s.size();
            m.addedMessages++;
            rows.add(new Object[] {id, m.id, uids[i], m.highestModseq, String.join(" ", s.flags()), s.internalDate(),
                    s.size(), s.file()});
            if (s.header() != null) {
                headers.add(new Object[] {id, s.header()});
            }
        }
        session.doWork(c -> {
            Jdbc.insert(c, "INSERT INTO message (id, mailbox_id, uid, modseq, flags, internal_date, size, spool_file) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows);
            Jdbc.insert(c, "INSERT INTO message_header (message_id, header) VALUES (?, ?)", headers);
            for (Locked m : locked.values()) {
                m.update(c);
            }
        });
        // an entity of a changed mailbox already loaded in this transaction must not write its old counters back
        EntityPersister mailboxes = session.getFactory().getMappingMetamodel().getEntityDescriptor(Mailbox.class);
        for (Locked m : locked.values()) {
            Object loaded = session.getPersistenceContextInternal().getEntity(session.generateEntityKey(m.id, mailboxes));
            if (loaded != null && m.addedMessages > 0) {
                em.refresh(loaded);
            }
        }
        return uids;
    }

    /** A mailbox row locked for a batch of appends, and what the batch adds to it. */
    private static final class Locked {
        final long id;
        final String uniqueId;
        long uidNext;
        long highestModseq;
        long addedBytes;
        long addedMessages;

        private Locked(long id, String uniqueId, long uidNext, long highestModseq) {
            this.id = id;
            this.uniqueId = uniqueId;
            this.uidNext = uidNext;
            this.highestModseq = highestModseq;
        }

        /** Locks the mailbox's row until the commit; null if there is no such mailbox here. */
        static Locked lock(Connection c, String name) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, unique_id, uid_next, highest_modseq FROM mailbox "
                    + "WHERE name = ? AND move_id IS NULL FOR UPDATE")) {
                ps.setString(1, name);
                try (ResultSet r = ps.executeQuery()) {
                    return r.next() ? new Locked(r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4)) : null;
                }
            }
        }

        /** Writes the new UIDNEXT, HIGHESTMODSEQ and totals; the version moves as an entity update moves it. */
        void update(Connection c) throws SQLException {
            if (addedMessages == 0) {
                return;
            }
            Jdbc.update(c, "UPDATE mailbox SET uid_next = ?, highest_modseq = ?, total_bytes = total_bytes + ?, "
                    + "total_messages = total_messages + ?, version = version + 1 WHERE id = ?",
                    uidNext, highestModseq, addedBytes, addedMessages, id);
        }
    }

    /**
     * COPY / MOVE: copies {@code sources} (messages of one mailbox) into {@code target} with {@code flags} (one
     * set per message), streaming each file, all in one transaction: either every copy is stored and their new
     * UIDs returned in order, or none is and the result is the one failure code (-1: no such mailbox, or
     * {@link #OVER_QUOTA}).
     */
    public long[] copy(String target, List<Info> sources, List<Set<String>> flags) {
        return copy(null, target, sources, flags);
    }

    /**
     * As {@link #copy(String, List, List)}; for a MOVE from {@code movingFrom} within one quota root the copies
     * do not count against it (the originals go right after), else a MOVE near the limit could never succeed.
     */
    public long[] copy(String movingFrom, String target, List<Info> sources, List<Set<String>> flags) {
        List<Staged> staged = new ArrayList<>();
        try {
            for (int i = 0; i < sources.size(); i++) {
                Info m = sources.get(i);
                Staged s = stage(target, MessageSource.of(spool.path(m.partition(), m.file()), m.size()), flags.get(i),
                        m.internalDate());
                if (s == null) {
                    staged.forEach(x -> spool.delete(x.place().partition(), x.file()));
                    return new long[] {-1};
                }
                staged.add(s);
            }
        } catch (RuntimeException e) { // e.g. a source expunged meanwhile: no copy stays half made
            staged.forEach(x -> spool.delete(x.place().partition(), x.file()));
            throw e;
        }
        Quotas.Quota root = movingFrom == null ? null : quotas.rootOf(target);
        Quotas.Quota from = root == null ? null : quotas.rootOf(movingFrom);
        boolean quotaNeutral = from != null && root.root().equals(from.root());
        long[] uids = store(staged, !quotaNeutral);
        for (long uid : uids) {
            if (uid <= 0) {
                context.setRollbackOnly(); // all or nothing: the staged files go with the rollback
                return new long[] {uid};
            }
        }
        return uids;
    }

    /**
     * STATUS figures without loading the messages: {messages, without \\Seen, bytes, with \\Deleted}. The first
     * and third are the mailbox's running totals; the flag counts (owner's \\Seen, as stored) take one aggregate
     * query over its rows, run only {@code withFlags} (else they are -1). Null if there is no such mailbox.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long[] counts(String mailboxName, boolean withFlags) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        if (m == null) {
            return null;
        }
        if (!withFlags) {
            return new long[] {m.getTotalMessages(), -1, m.getTotalBytes(), -1};
        }
        Object[] row = em.createNamedQuery(Message.COUNTS_OF_MAILBOX, Object[].class).setParameter("mailbox", m.getId())
                .setParameter("seen", "\\seen").setParameter("deleted", "\\deleted").getSingleResult();
        return new long[] {number(row[0]), number(row[1]), number(row[2]), number(row[3])};
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** Receives a message's UID, MODSEQ and flags. */
    @FunctionalInterface
    public interface FlagsVisitor {
        void message(long uid, long modseq, Set<String> flags);
    }

    /**
     * Gives {@code each} the UID, MODSEQ and flags of every message of the mailbox, in UID order, as the rows
     * are read (a SELECT of a mailbox of a million messages makes no entity and no list of them); false if
     * there is no such mailbox.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED) // the rows stream from an open persistence context
    public boolean scan(String mailboxName, FlagsVisitor each) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        if (m == null) {
            return false;
        }
        try (java.util.stream.Stream<Object[]> rows = em.createNamedQuery(Message.FLAGS_OF_MAILBOX, Object[].class)
                .setParameter("mailbox", m.getId()).setHint("org.hibernate.fetchSize", 1000).getResultStream()) {
            rows.forEach(r -> each.message(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), parseFlags((String) r[2])));
        }
        return true;
    }

    /** What a selected session's sync needs: the mailbox's HIGHESTMODSEQ and size, and what changed. */
    public record Since(long highestModseq, long messages, List<Info> modified) {
    }

    /**
     * The mailbox's HIGHESTMODSEQ and number of messages, with the messages added or changed after MODSEQ
     * {@code since} (none are read when nothing changed, as a NOOP on a quiet mailbox finds); null if there is no
     * such mailbox. Appends, flag changes and expunges each raise HIGHESTMODSEQ.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Since since(String mailboxName, long since) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        if (m == null) {
            return null;
        }
        List<Info> modified = m.getHighestModseq() <= since ? List.of()
                : em.createNamedQuery(Message.MODIFIED_SINCE, Message.class).setParameter("mailbox", m.getId())
                        .setParameter("since", since).getResultStream().map(msg -> info(m, msg)).toList();
        return new Since(m.getHighestModseq(), m.getTotalMessages(), modified);
    }

    /** The UIDs the mailbox holds, in order (to find what was expunged). */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<Long> uids(String mailboxName) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        return m == null ? List.of() : em.createNamedQuery(Message.UIDS_UP_TO, Long.class).setParameter("mailbox", m.getId())
                .setParameter("upTo", Long.MAX_VALUE).getResultList();
    }

    /** The mailbox's messages with {@code uids} (those it still has), in UID order. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<Info> messages(String mailboxName, Collection<Long> uids) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        if (m == null || uids.isEmpty()) {
            return List.of();
        }
        return byUids(em, m.getId(), uids).stream().sorted(java.util.Comparator.comparingLong(Message::getUid))
                .map(msg -> info(m, msg)).toList();
    }

    /** The mailbox's messages in UID order; empty if there is no such mailbox. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<Info> messages(String mailboxName) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        if (m == null) {
            return List.of();
        }
        return em.createNamedQuery(Message.OF_MAILBOX, Message.class).setParameter("mailbox", m.getId())
                .getResultStream().map(msg -> info(m, msg)).toList();
    }

    /** STORE: changes the flags of the messages with {@code uids}; returns them as they are now. */
    public List<Info> setFlags(String mailboxName, Collection<Long> uids, FlagChange change, Set<String> flags) {
        return setFlags(mailboxName, uids, change, flags, Long.MAX_VALUE, new ArrayList<>(), false);
    }

    /**
     * STORE (UNCHANGEDSINCE n) (RFC 7162): as {@link #setFlags(String, Collection, FlagChange, Set)}, but a message
     * whose MODSEQ is above {@code unchangedSince} is left alone and its UID added to {@code modified}; checked
     * under the mailbox's write lock, so no other change slips in between. With {@code keepSeen} a REPLACE leaves
     * {@code \Seen} as it was (it is the owner's; another user's \Seen is in {@link SeenStates}).
     */
    public List<Info> setFlags(String mailboxName, Collection<Long> uids, FlagChange change, Set<String> flags,
                               long unchangedSince, List<Long> modified, boolean keepSeen) {
        Mailbox m = lock(mailboxName);
        if (m == null || uids.isEmpty()) {
            return List.of();
        }
        List<Info> changed = new ArrayList<>();
        for (Message msg : byUids(m, uids)) {
            if (msg.getModseq() > unchangedSince) {
                modified.add(msg.getUid());
                continue;
            }
            Set<String> now = new LinkedHashSet<>(parseFlags(msg.getFlags()));
            switch (change) {
                case REPLACE -> {
                    boolean seen = keepSeen && now.stream().anyMatch("\\Seen"::equalsIgnoreCase);
                    now.clear();
                    now.addAll(flags);
                    if (seen) {
                        now.add("\\Seen");
                    }
                }
                case ADD -> flags.stream().filter(f -> now.stream().noneMatch(f::equalsIgnoreCase)).forEach(now::add);
                case REMOVE -> now.removeIf(f -> flags.stream().anyMatch(f::equalsIgnoreCase));
            }
            String text = String.join(" ", now);
            if (!text.equals(msg.getFlags())) {
                msg.setFlags(text, m.nextModseq());
            }
            changed.add(info(m, msg));
        }
        afterCompletion(committed -> {
            if (committed) {
                events.changed(mailboxName);
            }
        });
        return changed;
    }

    /**
     * Gives the messages with {@code uids} a new MODSEQ without changing their flags: a user's per-user
     * {@code \Seen} changed ({@link SeenStates}), and CONDSTORE clients (CHANGEDSINCE) must learn it.
     */
    public void touch(String mailboxName, Collection<Long> uids) {
        Mailbox m = uids.isEmpty() ? null : lock(mailboxName);
        if (m == null) {
            return;
        }
        for (Message msg : byUids(m, uids)) {
            msg.setFlags(msg.getFlags(), m.nextModseq());
        }
    }

    /** Removes the messages flagged \Deleted (only those in {@code uids} if not null); returns their UIDs. */
    public List<Long> expunge(String mailboxName, Collection<Long> uids) {
        Mailbox m = lock(mailboxName);
        if (m == null) {
            return List.of();
        }
        List<Message> candidates = uids == null
                ? em.createNamedQuery(Message.OF_MAILBOX, Message.class).setParameter("mailbox", m.getId()).getResultList()
                : byUids(m, uids);
        List<Long> gone = new ArrayList<>();
        List<String> files = new ArrayList<>();
        for (Message msg : candidates) {
            if (parseFlags(msg.getFlags()).stream().anyMatch("\\Deleted"::equalsIgnoreCase)) {
                gone.add(msg.getUid());
                files.add(msg.getSpoolFile());
                m.removed(msg.getSize());
                em.remove(msg);
            }
        }
        if (!gone.isEmpty()) {
            m.nextModseq();
            String partition = m.getPartition();
            afterCompletion(committed -> {
                if (committed) {
                    files.forEach(f -> spool.delete(partition, f));
                    events.changed(mailboxName);
                }
            });
        }
        return gone;
    }

    /**
     * The header blocks of the mailbox's messages with {@code uids} (all if null), by UID, in one query per
     * 1000 UIDs; a message whose header is not kept (too large) is absent: read it with {@link #content}.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Map<Long, byte[]> headers(String mailboxName, Collection<Long> uids) {
        Mailbox m = mailbox(mailboxName, LockModeType.NONE);
        Map<Long, byte[]> headers = new HashMap<>();
        if (m == null) {
            return headers;
        }
        if (uids == null) {
            em.createNamedQuery(MessageHeader.OF_MAILBOX, Object[].class).setParameter("mailbox", m.getId())
                    .getResultStream().forEach(row -> headers.put((Long) row[0], (byte[]) row[1]));
            return headers;
        }
        List<Long> all = new ArrayList<>(uids);
        for (int i = 0; i < all.size(); i += 1000) {
            em.createNamedQuery(MessageHeader.BY_UIDS, Object[].class).setParameter("mailbox", m.getId())
                    .setParameter("uids", all.subList(i, Math.min(all.size(), i + 1000)))
                    .getResultStream().forEach(row -> headers.put((Long) row[0], (byte[]) row[1]));
        }
        return headers;
    }

    /** Where the header ends: after the first empty line (CRLF or LF), or the whole message if none. */
    public static int headerEnd(byte[] b) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\n' && b[i + 1] == '\n') {
                return i + 2;
            }
            if (b[i] == '\n' && b[i + 1] == '\r' && i + 2 < b.length && b[i + 2] == '\n') {
                return i + 3;
            }
        }
        return b.length;
    }

    /** The message's bytes as a stream (the caller closes it): for reading a large message without holding it. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public java.io.InputStream open(Info message) {
        return spool.open(message.partition(), message.file());
    }

    private List<Message> byUids(Mailbox m, Collection<Long> uids) {
        return byUids(em, m.getId(), uids);
    }

    /** The messages of mailbox {@code mailboxId} with {@code uids}, in queries of at most 1000 UIDs (bounded IN lists). */
    public static List<Message> byUids(EntityManager em, long mailboxId, Collection<Long> uids) {
        List<Message> found = new ArrayList<>();
        List<Long> all = new ArrayList<>(uids);
        for (int i = 0; i < all.size(); i += 1000) {
            found.addAll(em.createNamedQuery(Message.BY_UIDS, Message.class).setParameter("mailbox", mailboxId)
                    .setParameter("uids", all.subList(i, Math.min(all.size(), i + 1000))).getResultList());
        }
        return found;
    }

    private Mailbox lock(String name) {
        return mailbox(name, LockModeType.PESSIMISTIC_WRITE);
    }

    private Mailbox mailbox(String name, LockModeType lock) {
        return em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name).setLockMode(lock)
                .getResultStream().findFirst().orElse(null);
    }

    private static Info info(Mailbox m, Message msg) {
        return new Info(msg.getUid(), msg.getModseq(), parseFlags(msg.getFlags()), msg.getInternalDate(),
                msg.getSize(), m.getPartition(), msg.getSpoolFile());
    }

    static Set<String> parseFlags(String text) {
        Set<String> flags = new LinkedHashSet<>();
        for (String f : text.split(" ")) {
            if (!f.isEmpty()) {
                flags.add(f);
            }
        }
        return flags;
    }

    private void afterCompletion(java.util.function.Consumer<Boolean> action) {
        org.corvid.ejb.node.AfterCompletion.register(transactions, action);
    }
}
