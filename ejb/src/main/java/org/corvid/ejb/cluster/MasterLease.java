package org.corvid.ejb.cluster;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The {@code master_lease} row of the shared MUPDATE database: who is master, with which epoch, until when. A
 * node takes it only once it has expired, which adds one to the epoch; {@link #fence} makes a transaction's
 * writes conditional on the epoch their master took, so a replaced master's writes roll back.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class MasterLease {
    /** The row as read. */
    public record Holder(long epoch, String node, String address, long expiresAt) {
    }

    @PersistenceContext(unitName = "mupdate")
    private EntityManager em;

    /** Takes the lease for {@code node} if it has expired (or is {@code node}'s already): the new epoch, or -1. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public long take(String node, String address, long leaseMillis) {
        guard(leaseMillis);
        long now = System.currentTimeMillis();
        int taken = em.createNativeQuery("UPDATE master_lease SET epoch = epoch + 1, holder = ?1, address = ?2,"
                        + " expires_at = ?3 WHERE id = 1 AND (expires_at < ?4 OR holder = ?1)")
                .setParameter(1, node).setParameter(2, address).setParameter(3, now + leaseMillis)
                .setParameter(4, now).executeUpdate();
        return taken == 1 ? current().epoch() : -1;
    }

    /** Extends the lease of {@code node} at {@code epoch}; false if another node has taken it since. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public boolean renew(String node, long epoch, long leaseMillis) {
        guard(leaseMillis);
        return extend(node, epoch, leaseMillis);
    }

    /**
     * In the caller's transaction (a batch of list writes): extends the lease, or throws if {@code node} no
     * longer holds it at {@code epoch}, which rolls the batch back. The row lock it takes also orders the batch
     * against a node taking the lease.
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void fence(String node, long epoch, long leaseMillis) {
        guard(leaseMillis);
        if (!extend(node, epoch, leaseMillis)) {
            throw new StaleMasterException(node, epoch);
        }
    }

    /**
     * On PostgreSQL: a transaction holding the lease row must not outlive a frozen holder. If its node stops
     * (SIGSTOP, a long GC pause) mid-transaction, the server ends the transaction after a lease of idleness,
     * which frees the row for the next master (the frozen node's batch then fails); and no one waits for the
     * row longer than a lease.
     */
    private void guard(long leaseMillis) {
        if ("PostgreSQL".equalsIgnoreCase(System.getProperty("corvid.mupdate.database", ""))) {
            em.createNativeQuery("SET LOCAL idle_in_transaction_session_timeout = " + leaseMillis).executeUpdate();
            em.createNativeQuery("SET LOCAL lock_timeout = " + leaseMillis).executeUpdate();
        }
    }

    private boolean extend(String node, long epoch, long leaseMillis) {
        return em.createNativeQuery("UPDATE master_lease SET expires_at = ?1 WHERE id = 1 AND epoch = ?2 AND holder = ?3")
                .setParameter(1, System.currentTimeMillis() + leaseMillis).setParameter(2, epoch)
                .setParameter(3, node).executeUpdate() == 1;
    }

    /** Gives the lease up at once (a clean step-down), so the next master need not wait for it to expire. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void release(String node, long epoch) {
        em.createNativeQuery("UPDATE master_lease SET expires_at = 0 WHERE id = 1 AND epoch = ?1 AND holder = ?2")
                .setParameter(1, epoch).setParameter(2, node).executeUpdate();
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Holder current() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT epoch, holder, address, expires_at FROM master_lease WHERE id = 1")
                .getResultList();
        Object[] r = rows.get(0);
        return new Holder(((Number) r[0]).longValue(), (String) r[1], (String) r[2], ((Number) r[3]).longValue());
    }
}
