package org.corvid.ejb.backend;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.corvid.persistence.mailstore.Mailbox;
import org.corvid.persistence.mailstore.SeenState;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * Per-user {@code \Seen} (as Cyrus's per-user seen database): in a mailbox the user does not own, whether they
 * have seen a message is theirs alone, not a flag of the message. The owner's {@code \Seen} stays in the
 * message's flags ({@link MessageStore}); {@link #isShared} tells which applies.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class SeenStates {
    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    @jakarta.ejb.EJB
    private MessageStore messages;

    /** True if {@code user}'s \Seen in {@code mailbox} is kept here (they do not own it). */
    public static boolean isShared(String user, String mailbox) {
        return !user.equals(MailboxNames.ownerOf(mailbox));
    }

    /** The UIDs {@code user} has seen in {@code mailbox}. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public SequenceSet seen(String user, String mailbox) {
        Long id = mailboxId(mailbox);
        SeenState s = id == null ? null : em.find(SeenState.class, new SeenState.Key(user, id));
        SequenceSet set = s == null || s.getSeenUids().isEmpty() ? null : SequenceSet.parse(s.getSeenUids(), 0);
        return set != null ? set : SequenceSet.empty();
    }

    /**
     * Marks {@code seen} as seen and {@code unseen} as not, for {@code user} in {@code mailbox}; the messages whose
     * state changed get a new MODSEQ in the same transaction, so the user's CONDSTORE clients see the change.
     */
    public void change(String user, String mailbox, Collection<Long> seen, Collection<Long> unseen) {
        Long id = mailboxId(mailbox);
        if (id == null || seen.isEmpty() && unseen.isEmpty()) {
            return;
        }
        SeenState s = em.find(SeenState.class, new SeenState.Key(user, id), LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            s = new SeenState(user, id);
            em.persist(s);
        }
        TreeSet<Long> uids = new TreeSet<>();
        SequenceSet now = s.getSeenUids().isEmpty() ? null : SequenceSet.parse(s.getSeenUids(), 0);
        if (now != null) {
            uids.addAll(now.members());
        }
        TreeSet<Long> before = new TreeSet<>(uids);
        uids.addAll(seen);
        uids.removeAll(unseen);
        s.setSeenUids(SequenceSet.format(new ArrayList<>(uids)));
        TreeSet<Long> changed = new TreeSet<>(seen);
        changed.addAll(unseen);
        changed.removeIf(uid -> before.contains(uid) == uids.contains(uid));
        messages.touch(mailbox, changed);
    }

    private Long mailboxId(String name) {
        List<Mailbox> m = em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name).getResultList();
        return m.isEmpty() ? null : m.get(0).getId();
    }
}
