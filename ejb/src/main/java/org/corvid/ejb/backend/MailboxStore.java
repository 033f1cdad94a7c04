package org.corvid.ejb.backend;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.Map;
import org.corvid.persistence.mailstore.Mailbox;
import org.corvid.persistence.mailstore.Subscription;
import org.jboss.ejb3.annotation.SecurityDomain;

/** This backend's mailboxes and subscriptions in the {@code mailstore} unit; each method one transaction. */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class MailboxStore {
    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    /** A detached view of a mailbox; {@code specialUse} is an RFC 6154 attribute such as {@code \Sent}, or null. */
    public record Info(String name, String partition, long uidValidity, long uidNext, long highestModseq, String acl,
                       String specialUse) {
        static Info of(Mailbox m) {
            return new Info(m.getName(), m.getPartition(), m.getUidValidity(), m.getUidNext(), m.getHighestModseq(),
                    m.getAcl(), m.getSpecialUse());
        }
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Info find(String name) {
        return em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name)
                .getResultStream().findFirst().map(Info::of).orElse(null);
    }

    /** True if a move hides a mailbox of this name here (copying it in, or just moved it out). */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public boolean moving(String name) {
        return em.createNamedQuery(Mailbox.MOVING_BY_NAME, Long.class).setParameter("name", name).getSingleResult() > 0;
    }

    /** Every name {@link #moving} is true of, in one query. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public java.util.Set<String> movingNames() {
        return new java.util.HashSet<>(em.createNamedQuery(Mailbox.MOVING_NAMES, String.class).getResultList());
    }

    /** {@code name} and every mailbox under it, in name order. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<Info> selfAndChildren(String name) {
        return query(name).stream().map(Info::of).toList();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<Info> all() {
        return em.createNamedQuery(Mailbox.ALL, Mailbox.class).getResultStream().map(Info::of).toList();
    }

    public void insert(String name, String partition, String acl, String specialUse) {
        Mailbox m = new Mailbox(name, partition, newUidValidity(), acl);
        m.setSpecialUse(specialUse);
        em.persist(m);
    }

    /** Removes {@code name} (and the mailboxes under it if {@code withChildren}); returns the names removed. */
    public List<String> delete(String name, boolean withChildren) {
        List<Mailbox> doomed = withChildren ? query(name)
                : em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name).getResultList();
        doomed.forEach(em::remove);
        return doomed.stream().map(Mailbox::getName).toList();
    }

    /** Renames each mailbox of {@code renames} (old → new), all or none; each gets a new UIDVALIDITY. */
    public void rename(Map<String, String> renames) {
        long uidValidity = newUidValidity();
        for (Map.Entry<String, String> r : renames.entrySet()) {
            em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", r.getKey())
                    .getSingleResult().rename(r.getValue(), uidValidity);
        }
    }

    /** Replaces the ACL of {@code name}; false if there is no such mailbox. */
    public boolean setAcl(String name, String acl) {
        return update(name, m -> m.setAcl(acl));
    }

    /** Applies {@code change} to the mailbox {@code name}; false if there is none. */
    private boolean update(String name, java.util.function.Consumer<Mailbox> change) {
        return em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", name).getResultStream()
                .findFirst().map(m -> {
                    change.accept(m);
                    return true;
                }).orElse(false);
    }

    /** Sets (null: removes) the special use of {@code name} (METADATA {@code /private/specialuse}). */
    public boolean setSpecialUse(String name, String specialUse) {
        return update(name, m -> m.setSpecialUse(specialUse));
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<String> subscriptions(String user) {
        return em.createNamedQuery(Subscription.OF_USER, String.class).setParameter("user", user).getResultList();
    }

    public void subscribe(String user, String mailbox) {
        if (em.find(Subscription.class, new Subscription.Key(user, mailbox)) == null) {
            em.persist(new Subscription(user, mailbox));
        }
    }

    /** False if there was no such subscription. */
    public boolean unsubscribe(String user, String mailbox) {
        Subscription s = em.find(Subscription.class, new Subscription.Key(user, mailbox));
        if (s != null) {
            em.remove(s);
        }
        return s != null;
    }

    private List<Mailbox> query(String name) {
        String escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return em.createNamedQuery(Mailbox.SELF_AND_CHILDREN, Mailbox.class).setParameter("name", name)
                .setParameter("children", escaped + ".%").getResultList();
    }

    /** Seconds since the epoch, as Cyrus picks UIDVALIDITY (a renamed or re-created mailbox gets a new one). */
    private static long newUidValidity() {
        return System.currentTimeMillis() / 1000;
    }
}
