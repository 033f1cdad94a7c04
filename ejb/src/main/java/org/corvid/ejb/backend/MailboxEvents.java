package org.corvid.ejb.backend;

import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * Committed changes of this backend's mailboxes (appends, flag changes, expunges), for the sessions that
 * wait for them (IMAP IDLE). Listeners run on the managed executor, never on the committing thread.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class MailboxEvents {
    private final Map<String, Set<Runnable>> listeners = new ConcurrentHashMap<>();

    @Resource
    private ManagedExecutorService executor;

    public void subscribe(String mailbox, Runnable listener) {
        listeners.computeIfAbsent(mailbox, k -> ConcurrentHashMap.newKeySet()).add(listener);
    }

    public void unsubscribe(String mailbox, Runnable listener) {
        listeners.computeIfPresent(mailbox, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    /** Called after a commit that changed {@code mailbox}. */
    public void changed(String mailbox) {
        Set<Runnable> set = listeners.get(mailbox);
        if (set != null) {
            set.forEach(executor::execute);
        }
    }
}
