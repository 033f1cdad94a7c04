package org.corvid.ejb.move;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.corvid.ejb.backend.MailboxEvents;
import org.corvid.ejb.backend.MessageSource;
import org.corvid.ejb.backend.MessageStore;
import org.corvid.ejb.backend.Partitions;
import org.corvid.ejb.backend.SequenceSet;
import org.corvid.ejb.backend.Spool;
import org.corvid.ejb.node.NodeConfig;
import org.corvid.persistence.mailstore.Mailbox;
import org.corvid.persistence.mailstore.Message;
import org.corvid.persistence.mailstore.MessageHeader;
import org.corvid.persistence.mailstore.QuotaRoot;
import org.corvid.persistence.mailstore.SeenState;
import org.corvid.persistence.mailstore.Subscription;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The database side of live moves, on both ends. The source reads what to send (mailboxes, message batches,
 * changes since a MODSEQ, the UIDs left); the destination keeps what arrives in mailboxes hidden under the move's
 * id, with the source's UIDs, MODSEQs, flags and dates, until the move shows them. Each method is one transaction.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class MoveStore {
    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    @EJB
    private NodeConfig node;

    @EJB
    private MailboxEvents events;

    private Spool spool;

    @PostConstruct
    void init() {
        spool = new Spool(new Partitions(node.dataDir()));
    }

    /** A mailbox as a move carries it: its identity, counters, ACL and special use; totals for progress. */
    public record MailboxMeta(String name, String partition, String uniqueId, long uidValidity, long uidNext,
                              long highestModseq, String acl, String specialUse, long messages, long bytes) {
    }

    /** A message to send: its frame header and where its bytes are. */
    public record Outgoing(MoveWire.Header header, Path file) {
    }

    /**
     * What the destination must match for one mailbox: counters, ACL, [uid, modseq, flags] of the messages
     * changed, and the UIDs up to {@code upTo} still there (the others were expunged).
     */
    public record Changes(String mailbox, long uidNext, long highestModseq, String acl, List<Object[]> flags,
                          long upTo, String uids) {
    }

    /** The per-user data a move takes along: subscriptions, \Seen of other users, the quota root's limits. */
    public record UserData(Map<String, List<String>> subscriptions, List<String[]> seen, Long[] quota) {
    }

    // ---- source ----

    /** The mailboxes a move takes: {@code name} and, for a whole user, everything under it (name order). */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<MailboxMeta> mailboxes(String name, boolean wholeUser) {
        return boxes(name, wholeUser, LockModeType.NONE).stream().map(MoveStore::meta).toList();
    }

    private List<Mailbox> boxes(String name, boolean wholeUser, LockModeType lock) {
        if (!wholeUser) {
            return em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name).setLockMode(lock)
                    .getResultList();
        }
        String escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return em.createNamedQuery(Mailbox.SELF_AND_CHILDREN, Mailbox.class).setParameter("name", name)
                .setParameter("children", escaped + ".%").setLockMode(lock).getResultList();
    }

    private static MailboxMeta meta(Mailbox m) {
        return new MailboxMeta(m.getName(), m.getPartition(), m.getUniqueId(), m.getUidValidity(), m.getUidNext(),
                m.getHighestModseq(), m.getAcl(), m.getSpecialUse(), m.getTotalMessages(), m.getTotalBytes());
    }

    /** Up to {@code limit} messages of {@code mailbox} with a UID above {@code after}, in UID order. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<Outgoing> batch(String mailbox, long after, int limit) {
        Mailbox m = visible(mailbox);
        if (m == null) {
            return List.of();
        }
        return em.createNamedQuery(Message.OF_MAILBOX_AFTER, Message.class).setParameter("mailbox", m.getId())
                .setParameter("after", after).setMaxResults(limit).getResultStream()
                .map(msg -> new Outgoing(new MoveWire.Header(msg.getUid(), msg.getModseq(), msg.getInternalDate(),
                        msg.getFlags(), msg.getSize()), spool.path(m.getPartition(), msg.getSpoolFile())))
                .toList();
    }

    /** The changes of {@code mailbox} since MODSEQ {@code since} among UIDs up to {@code upTo}; null if it is gone. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Changes changes(String mailbox, long since, long upTo) {
        Mailbox m = visible(mailbox);
        if (m == null) {
            return null;
        }
        List<Object[]> flags = em.createNamedQuery(Message.CHANGED_SINCE, Object[].class)
                .setParameter("mailbox", m.getId()).setParameter("since", since).setParameter("upTo", upTo)
                .getResultList();
        List<Long> uids = em.createNamedQuery(Message.UIDS_UP_TO, Long.class).setParameter("mailbox", m.getId())
                .setParameter("upTo", upTo).getResultList();
        return new Changes(mailbox, m.getUidNext(), m.getHighestModseq(), m.getAcl(), flags, upTo,
                uids.isEmpty() ? "" : SequenceSet.format(uids));
    }

    /** The subscriptions of {@code user} (whole-user moves), \Seen of other users in {@code mailboxes}, the quota. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public UserData userData(String root, String user, List<String> mailboxes) {
        Map<String, List<String>> subscriptions = new LinkedHashMap<>();
        if (user != null) {
            subscriptions.put(user, em.createNamedQuery(Subscription.OF_USER, String.class)
                    .setParameter("user", user).getResultList());
        }
        List<String[]> seen = new ArrayList<>();
        for (String name : mailboxes) {
            Mailbox m = visible(name);
            if (m != null) {
                em.createNamedQuery(SeenState.OF_MAILBOX, SeenState.class).setParameter("mailbox", m.getId())
                        .getResultStream().forEach(s -> seen.add(new String[] {s.getUserName(), name, s.getSeenUids()}));
            }
        }
        QuotaRoot q = em.find(QuotaRoot.class, root);
        Long[] quota = q == null ? null : new Long[] {q.getStorageLimit(), q.getMessageLimit(), q.getMailboxLimit()};
        return new UserData(subscriptions, seen, quota);
    }

    /**
     * The final phase's write fence: locks the move's mailboxes for the rest of the caller's transaction (other
     * writers wait) and returns them as they are now.
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public List<MailboxMeta> lock(String name, boolean wholeUser) {
        return boxes(name, wholeUser, LockModeType.PESSIMISTIC_WRITE).stream().map(MoveStore::meta).toList();
    }

    /**
     * The switch on the source, in the caller's transaction: the moved mailboxes are hidden under the move's id
     * (sessions on them find them gone), the user's subscriptions and the quota root go with them.
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void hide(String moveId, List<String> names, String root, String user) {
        for (String name : names) {
            Mailbox m = visible(name);
            if (m != null) {
                m.setMoveId(moveId);
            }
        }
        if (user != null) {
            em.createQuery("delete from Subscription s where s.userName = :user").setParameter("user", user)
                    .executeUpdate();
        }
        QuotaRoot q = em.find(QuotaRoot.class, root);
        if (q != null) {
            em.remove(q);
        }
        afterCommit(() -> names.forEach(events::changed));
    }

    // ---- destination ----

    /**
     * Creates (hidden) the mailboxes of move {@code moveId} not yet here, on {@code partition}; returns for each
     * the highest UID already received, so a resumed move continues from there. Fails if a visible mailbox has
     * one of the names.
     */
    public Map<String, Long> stage(String moveId, String partition, List<MailboxMeta> mailboxes) {
        if (new Partitions(node.dataDir()).path(partition) == null) {
            throw new IllegalArgumentException("no partition " + partition + " on " + node.serverName());
        }
        Map<String, Mailbox> staged = new HashMap<>();
        hidden(moveId).forEach(m -> staged.put(m.getName(), m));
        Map<String, Long> lastUids = new LinkedHashMap<>();
        for (MailboxMeta meta : mailboxes) {
            Mailbox m = staged.get(meta.name());
            if (m == null) {
                if (visible(meta.name()) != null) {
                    throw new IllegalStateException(meta.name() + " already exists on " + node.serverName());
                }
                m = Mailbox.movingIn(moveId, meta.name(), partition, meta.uniqueId(), meta.uidValidity(),
                        meta.uidNext(), meta.highestModseq(), meta.acl(), meta.specialUse());
                em.persist(m);
                lastUids.put(meta.name(), 0L);
            } else {
                lastUids.put(meta.name(), lastUid(m));
            }
        }
        return lastUids;
    }

    /**
     * Stores a batch of messages for a hidden mailbox of move {@code moveId} as the source had them (same UID,
     * MODSEQ, flags, date); a UID already here is skipped. Spool files are forced as they are written; a rolled
     * back batch deletes them. Returns the number stored.
     */
    public int receive(String moveId, String mailbox, InputStream frames, long maxMessage) {
        Mailbox m = hidden(moveId).stream().filter(b -> b.getName().equals(mailbox)).findFirst()
                .orElseThrow(() -> new IllegalStateException(mailbox + " is not staged for move " + moveId));
        long last = lastUid(m);
        List<String> written = new ArrayList<>();
        String partition = m.getPartition();
        afterCompletion(committed -> {
            if (!committed) {
                written.forEach(f -> spool.delete(partition, f));
            }
        });
        int[] stored = {0};
        try {
            readInto(m, last, written, stored, frames, maxMessage);
        } catch (IOException e) { // a system exception: the batch rolls back, its files go
            throw new UncheckedIOException("batch for " + mailbox + " cut short: " + e.getMessage(), e);
        }
        return stored[0];
    }

    private void readInto(Mailbox m, long last, List<String> written, int[] stored, InputStream frames,
                          long maxMessage) throws IOException {
        String partition = m.getPartition();
        MoveWire.read(frames, maxMessage, (h, content) -> {
            if (h.uid() <= last) {
                return;
            }
            String file = spool.write(partition, m.getUniqueId(), MessageSource.of(content));
            written.add(file);
            Message msg = new Message(m.getId(), h.uid(), h.modseq(), h.flags(), h.internalDate(), h.size(), file);
            em.persist(msg);
            int end = MessageStore.headerEnd(content.length > MessageHeader.MAX_BYTES + 1
                    ? java.util.Arrays.copyOf(content, MessageHeader.MAX_BYTES + 1) : content);
            if (end <= MessageHeader.MAX_BYTES) {
                em.persist(new MessageHeader(msg.getId(), java.util.Arrays.copyOf(content, end)));
            }
            m.copiedIn(h.size(), 1);
            m.catchUp(h.uid() + 1, h.modseq(), m.getAcl());
            stored[0]++;
        });
    }

    /**
     * Applies {@code c} to the hidden mailbox: counters, ACL, the changed messages' flags and MODSEQs, and the
     * messages expunged since. Reads only the UIDs of the mailbox and the rows that change.
     */
    public void apply(String moveId, List<Changes> all) {
        all.forEach(c -> apply(moveId, c));
    }

    private void apply(String moveId, Changes c) {
        Mailbox m = hidden(moveId).stream().filter(b -> b.getName().equals(c.mailbox())).findFirst()
                .orElseThrow(() -> new IllegalStateException(c.mailbox() + " is not staged for move " + moveId));
        m.catchUp(c.uidNext(), c.highestModseq(), c.acl());
        Map<Long, Object[]> changed = new HashMap<>();
        c.flags().forEach(f -> changed.put(((Number) f[0]).longValue(), f));
        for (Message msg : MessageStore.byUids(em, m.getId(), changed.keySet())) {
            Object[] f = changed.get(msg.getUid());
            msg.setFlags((String) f[2], ((Number) f[1]).longValue());
        }
        SequenceSet left = c.uids().isEmpty() ? SequenceSet.empty() : SequenceSet.parse(c.uids(), 0);
        List<Long> expunged = em.createNamedQuery(Message.UIDS_UP_TO, Long.class).setParameter("mailbox", m.getId())
                .setParameter("upTo", c.upTo()).getResultStream().filter(uid -> !left.contains(uid)).toList();
        List<String> gone = new ArrayList<>();
        for (Message msg : MessageStore.byUids(em, m.getId(), expunged)) {
            gone.add(msg.getSpoolFile());
            m.copiedIn(-msg.getSize(), -1);
            em.remove(msg);
        }
        String partition = m.getPartition();
        afterCompletion(committed -> {
            if (committed) {
                gone.forEach(f -> spool.delete(partition, f));
            }
        });
    }

    /**
     * The destination's last step before ACTIVATE: the staged mailboxes not in {@code names} go (deleted at the
     * source meanwhile), the per-user data is stored. The mailboxes stay hidden until {@link #show}.
     */
    public void finish(String moveId, List<String> names, String root, UserData data) {
        Set<String> keep = new HashSet<>(names);
        for (Mailbox m : hidden(moveId)) {
            if (!keep.contains(m.getName())) {
                discard(m);
            }
        }
        data.subscriptions().forEach((user, subs) -> subs.forEach(s -> {
            if (em.find(Subscription.class, new Subscription.Key(user, s)) == null) {
                em.persist(new Subscription(user, s));
            }
        }));
        Map<String, Long> ids = new HashMap<>();
        hidden(moveId).forEach(m -> ids.put(m.getName(), m.getId()));
        for (String[] s : data.seen()) {
            Long id = ids.get(s[1]);
            if (id != null) {
                SeenState state = em.find(SeenState.class, new SeenState.Key(s[0], id));
                if (state == null) {
                    state = new SeenState(s[0], id);
                    em.persist(state);
                }
                state.setSeenUids(s[2]);
            }
        }
        if (data.quota() != null) {
            QuotaRoot q = em.find(QuotaRoot.class, root);
            if (q == null) {
                q = new QuotaRoot(root);
                em.persist(q);
            }
            q.setLimits(data.quota()[0], data.quota()[1], data.quota()[2]);
        }
    }

    /** The mailboxes move {@code moveId} has hidden here. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<MailboxMeta> hiddenMailboxes(String moveId) {
        return hidden(moveId).stream().map(MoveStore::meta).toList();
    }

    /** Shows the hidden mailboxes of move {@code moveId}: the switch on the destination. */
    public List<String> show(String moveId) {
        List<String> names = new ArrayList<>();
        for (Mailbox m : hidden(moveId)) {
            m.setMoveId(null);
            names.add(m.getName());
        }
        afterCommit(() -> names.forEach(events::changed));
        return names;
    }

    /**
     * Deletes what move {@code moveId} hid here with their spool files: on a destination, a move rolled back; on
     * the source, the copies left once the destination holds the mail. Returns how many mailboxes went.
     */
    public int discard(String moveId) {
        List<Mailbox> doomed = hidden(moveId);
        doomed.forEach(this::discard);
        return doomed.size();
    }

    private void discard(Mailbox m) {
        Path dir = new Partitions(node.dataDir()).path(m.getPartition());
        String uniqueId = m.getUniqueId();
        em.remove(m); // messages, headers and seen states go by the foreign keys' cascade
        afterCompletion(committed -> {
            if (committed && dir != null) {
                deleteTree(dir.resolve(uniqueId));
            }
        });
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // what is left is unreferenced: the spool sweep removes it at the next start
        }
    }

    private List<Mailbox> hidden(String moveId) {
        return em.createNamedQuery(Mailbox.OF_MOVE, Mailbox.class).setParameter("move", moveId).getResultList();
    }

    private Mailbox visible(String name) {
        return em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name).getResultStream()
                .findFirst().orElse(null);
    }

    private long lastUid(Mailbox m) {
        List<Long> uids = em.createQuery("select max(m.uid) from Message m where m.mailboxId = :mailbox", Long.class)
                .setParameter("mailbox", m.getId()).getResultList();
        return uids.isEmpty() || uids.get(0) == null ? 0 : uids.get(0);
    }

    private void afterCommit(Runnable action) {
        afterCompletion(committed -> {
            if (committed) {
                action.run();
            }
        });
    }

    private void afterCompletion(java.util.function.Consumer<Boolean> action) {
        org.corvid.ejb.node.AfterCompletion.register(transactions, action);
    }
}
