package org.corvid.ejb.backend;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.corvid.persistence.mailstore.QuotaRoot;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * Quota roots (RFC 9208 STORAGE, MESSAGE and MAILBOX) of this backend, their usage (summed from the mailboxes'
 * running totals, not from their messages), and the checks before an append or a create.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class Quotas {
    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    /** A root with its limits (null: none) and usage. */
    public record Quota(String root, Long storageLimitKib, Long messageLimit, Long mailboxLimit, long usedBytes,
                        long usedMessages, long usedMailboxes) {
        public long usedKib() {
            return (usedBytes + 1023) / 1024;
        }

        /** True if adding a message of {@code size} bytes stays within both limits. */
        public boolean allows(long size) {
            return (storageLimitKib == null || (usedBytes + size + 1023) / 1024 <= storageLimitKib)
                    && (messageLimit == null || usedMessages + 1 <= messageLimit);
        }

        /** The same root with one more message of {@code size} bytes counted. */
        public Quota plus(long size) {
            return new Quota(root, storageLimitKib, messageLimit, mailboxLimit, usedBytes + size, usedMessages + 1,
                    usedMailboxes);
        }

        /** True if one more mailbox under the root stays within the MAILBOX limit. */
        public boolean allowsAnotherMailbox() {
            return mailboxLimit == null || usedMailboxes + 1 <= mailboxLimit;
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
        return new Quota(root, r.getStorageLimit(), r.getMessageLimit(), r.getMailboxLimit(),
                ((Number) usage[0]).longValue(), ((Number) usage[1]).longValue(), ((Number) usage[2]).longValue());
    }

    /** SETQUOTA: sets the limits (null for none); a root with no limits left is removed. */
    public void set(String root, Long storageKib, Long messages, Long mailboxes) {
        QuotaRoot r = em.find(QuotaRoot.class, root);
        if (storageKib == null && messages == null && mailboxes == null) {
            if (r != null) {
                em.remove(r);
            }
            return;
        }
        if (r == null) {
            r = new QuotaRoot(root);
            em.persist(r);
        }
        r.setLimits(storageKib, messages, mailboxes);
    }
}
