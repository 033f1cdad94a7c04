package org.corvid.ejb.move;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.corvid.ejb.backend.MailboxNames;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * The mailboxes of this backend in a move's final phase. Deliveries to them wait here (bounded) instead of
 * failing, and no mailbox is created under them, so nothing lands at the source after its last copy.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class MoveFence {
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();

    public void freeze(String name) {
        frozen.add(name);
    }

    public void thaw(String name) {
        frozen.remove(name);
        synchronized (this) {
            notifyAll();
        }
    }

    /** True if {@code name} or a mailbox above it is in a final phase. */
    public boolean frozen(String name) {
        if (frozen.isEmpty()) {
            return false;
        }
        for (String n = name; n != null; n = MailboxNames.parentOf(n)) {
            if (frozen.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /** Waits up to {@code max} until {@code name} is not frozen; true if it is not (any more). */
    public boolean awaitThawed(String name, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (this) {
            while (frozen(name)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, Math.min(left / 1_000_000, 250)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
