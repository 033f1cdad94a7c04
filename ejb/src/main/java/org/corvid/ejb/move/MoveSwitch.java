package org.corvid.ejb.move;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import java.io.IOException;
import java.util.List;
import org.corvid.ejb.backend.MailboxNames;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * A move's final phase on the source, in one transaction: the mailboxes are locked (writers wait), the last
 * messages and changes go to the destination, the destination commits (durable, ACTIVATE, shown), and the
 * source hides its copy and marks the job SWITCHED. If anything throws, the transaction rolls back: the source's
 * mailboxes are as they were, and the runner asks the master which side holds them.
 */
@Stateless
@PermitAll
@SecurityDomain("corvid")
public class MoveSwitch {
    @EJB
    private MoveStore store;

    @EJB
    private MoveJobs jobs;

    /** Runs the final phase of {@code run}; {@code startNanos} is when its RESERVED period began. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void finish(MoveRunner.Run run, MoveTarget target, long startNanos) throws IOException {
        List<MoveStore.MailboxMeta> now = store.lock(run.mailbox, run.wholeUser);
        if (now.isEmpty()) {
            throw new IllegalStateException(run.mailbox + " was deleted during its move");
        }
        List<MoveStore.MailboxMeta> added = now.stream().filter(m -> !run.copied.containsKey(m.name())).toList();
        if (!added.isEmpty()) { // created during the copy
            target.stage(run.id, run.partition, added)
                    .forEach((name, last) -> run.copied.put(name, new MoveRunner.Copied(last, 0, "")));
        }
        run.copied.keySet().retainAll(now.stream().map(MoveStore.MailboxMeta::name).toList()); // deleted meanwhile
        run.round(store, target);
        List<String> names = now.stream().map(MoveStore.MailboxMeta::name).toList();
        String user = run.wholeUser ? MailboxNames.ownerOf(run.mailbox) : null;
        target.commit(run.id, names, run.mailbox, store.userData(run.mailbox, user, names));
        store.hide(run.id, names, run.mailbox, user);
        jobs.switched(run.id, (System.nanoTime() - startNanos) / 1_000_000);
    }

    /** After a lost answer from a destination that did switch: the source hides its copy now. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void hideAfterSwitch(MoveRunner.Run run, List<String> names, long finalPhaseMillis) {
        store.hide(run.id, names, run.mailbox, run.wholeUser ? MailboxNames.ownerOf(run.mailbox) : null);
        jobs.switched(run.id, finalPhaseMillis);
    }
}
