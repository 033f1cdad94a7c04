package org.corvid.ejb.backend;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.corvid.persistence.mailstore.QuotaRoot;
import org.jboss.ejb3.annotation.SecurityDomain;

/** Quota roots (RFC 9208 STORAGE and MESSAGE) of this backend, their usage, and the check before an append. */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class Quotas {
    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    /** A root with its limits (null: none) and usage. */
    public record Quota(String root, Long storageLimitKib, Long messageLimit, long usedBytes, long usedMessages) {
        public long usedKib() {
            return (usedBytes + 1023) / 1024;
        }

        /** True if adding a message of {@code size} bytes stays within both limits. */
        public boolean allows(long size) {
            return (storageLimitKib == null || (usedBytes + size + 1023) / 1024 <= storageLimitKib)
                    && (messageLimit == null || usedMessages + 1 <= messageLimit);
        }
    }

    /** The quota root governing {@code mailbox} (itself or its nearest ancestor with limits), or null. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Quota rootOf(String mailbox) {
        for (String name = mailbox; name != null; name = MailboxNames.parentOf(name)) {
            Quota q = get(name);
            if (q != null) {
                return q;
            }
        }
        return null;
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Quota get(String root) {
        QuotaRoot r = em.find(QuotaRoot.class, root);
        if (r == null) {
            return null;
        }
        Object[] usage = em.createNamedQuery(QuotaRoot.USAGE, Object[].class).setParameter("root", root)
                .setParameter("children", root.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%")
                .getSingleResult();
        return new Quota(root, r.getStorageLimit(), r.getMessageLimit(), ((Number) usage[0]).longValue(),
                ((Number) usage[1]).longValue());
    }

    /** SETQUOTA: sets the limits (null for none); a root with no limits left is removed. */
    public void set(String root, Long storageKib, Long messages) {
        QuotaRoot r = em.find(QuotaRoot.class, root);
        if (storageKib == null && messages == null) {
            if (r != null) {
                em.remove(r);
            }
            return;
        }
        if (r == null) {
            r = new QuotaRoot(root);
            em.persist(r);
        }
        r.setLimits(storageKib, messages);
    }
}
