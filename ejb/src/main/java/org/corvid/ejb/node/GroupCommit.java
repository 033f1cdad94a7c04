package org.corvid.ejb.node;

import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One committer thread that applies whatever has queued up (up to {@code maxBatch} items) in one call — one
 * transaction — and completes each item's future after it: group commit. Items apply in arrival order. If a
 * batch fails, its items are retried one by one (so one bad item cannot fail the others) when
 * {@code retryOneByOne}, else they all fail. Every future completes, so callers may wait without a timeout.
 */
public final class GroupCommit<T, R> {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    private final LinkedBlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final int maxBatch;
    private final Function<List<T>, List<R>> apply;
    private final boolean retryOneByOne;
    private final Thread committer;
    private volatile boolean running = true;

    /** Starts the committer thread {@code name}; {@code apply} stores a batch and returns a result per item. */
    public GroupCommit(ManagedThreadFactory threads, String name, int maxBatch, Function<List<T>, List<R>> apply,
                       boolean retryOneByOne) {
        this.maxBatch = maxBatch;
        this.apply = apply;
        this.retryOneByOne = retryOneByOne;
        committer = threads.newThread(this::commitLoop);
        committer.setName(name);
        committer.start();
    }

    /** Queues {@code item}; the future completes with its result after its batch committed, or with the failure. */
    public CompletableFuture<R> submit(T item) {
        CompletableFuture<R> result = new CompletableFuture<>();
        queue.add(new Pending<>(item, result));
        return result;
    }

    /** Stops the committer; items still queued fail. */
    public void stop() {
        running = false;
        committer.interrupt();
        List<Pending<T, R>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result().completeExceptionally(new IllegalStateException("the server is stopping")));
    }

    private void commitLoop() {
        while (running) {
            List<Pending<T, R>> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            try {
                List<R> results = apply.apply(batch.stream().map(Pending::item).toList());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result().complete(results.get(i));
                }
            } catch (Throwable e) { // every waiting caller gets its answer, and the committer lives on
                if (!retryOneByOne) {
                    LOG.errorf(e, "%s: a batch of %d failed", committer.getName(), batch.size());
                    batch.forEach(p -> p.result().completeExceptionally(e));
                    continue;
                }
                LOG.debugf(e, "%s: a batch of %d failed, retrying one by one", committer.getName(), batch.size());
                for (Pending<T, R> p : batch) {
                    try {
                        p.result().complete(apply.apply(List.of(p.item())).get(0));
                    } catch (Throwable single) {
                        LOG.errorf(single, "%s: %s failed", committer.getName(), p.item());
                        p.result().completeExceptionally(single);
                    }
                }
            }
        }
    }
}
