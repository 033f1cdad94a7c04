package org.corvid.ejb.node;

import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.function.Consumer;

/** Work to do once the caller's transaction has ended: {@code action} learns whether it committed. */
public final class AfterCompletion {
    private AfterCompletion() {
    }

    public static void register(TransactionSynchronizationRegistry transactions, Consumer<Boolean> action) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                action.accept(status == Status.STATUS_COMMITTED);
            }
        });
    }
}
