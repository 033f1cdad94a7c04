package org.corvid.ejb.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One committer thread that applies whatever has queued up (up to {@code maxBatch} items) in one call — one
 * transaction — and completes each item's future after it: group commit. Items apply in arrival order. If a
 * batch fails, its items are retried one by one (so one bad item cannot fail the others) when
 * {@code retryOneByOne}, else they all fail. Every future completes, so callers may wait without a timeout.
 * <p>With a {@code sync} step (forcing the committed data to the disk), a second thread runs it and answers:
 * the committer goes on with the next batch while the previous ones are being forced, and one sync covers every
 * batch committed before it started. Answers (failures included) still come in arrival order, and never
 * before the sync that followed their commit.
 */
public final class GroupCommit<T, R> {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private record Pending<T, R>(T item, CompletableFuture<R> result) {
    }

    private final LinkedBlockingQueue<Pending<T, R>> queue = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<Runnable> committed = new LinkedBlockingQueue<>(); // answers awaiting a sync
    private final int maxBatch;
    private final Function<List<T>, List<R>> apply;
    private final Runnable sync;
    private final boolean retryOneByOne;
    private final Thread committer;
    private final Thread syncer;
    private volatile boolean running = true;

    /**
     * Starts the committer thread {@code name} (and {@code name-sync} if there is a {@code sync} step);
     * {@code apply} stores a batch and returns a result per item; {@code sync}, if not null, makes what has been
     * committed durable (if it throws, the failure is logged and the committed items are still answered).
     */
    public GroupCommit(ThreadFactory threads, String name, int maxBatch, Function<List<T>, List<R>> apply,
                       Runnable sync, boolean retryOneByOne) {
        this.maxBatch = maxBatch;
        this.apply = apply;
        this.sync = sync;
        this.retryOneByOne = retryOneByOne;
        committer = threads.newThread(this::commitLoop);
        committer.setName(name);
        if (sync != null) {
            syncer = threads.newThread(this::syncLoop);
            syncer.setName(name + "-sync");
            syncer.start();
        } else {
            syncer = null;
        }
        committer.start();
    }

    /** Queues {@code item}; the future completes with its result after its batch committed, or with the failure. */
    public CompletableFuture<R> submit(T item) {
        CompletableFuture<R> result = new CompletableFuture<>();
        queue.add(new Pending<>(item, result));
        return result;
    }

    /** Stops; items not committed yet fail, those committed are synced and answered. */
    public void stop() {
        running = false;
        committer.interrupt(); // the syncer is not interrupted: an interrupt would close the database's file channel
        List<Pending<T, R>> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result().completeExceptionally(new IllegalStateException("the server is stopping")));
        if (sync != null) {
            syncAndAnswer(null);
        }
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
            List<Runnable> answers = commit(batch);
            if (sync == null) {
                answers.forEach(Runnable::run);
            } else {
                committed.addAll(answers);
                if (!running) { // the syncer may have ended already
                    syncAndAnswer(null);
                }
            }
        }
    }

    /** Applies {@code batch}; returns how to answer each of its items, in order. */
    private List<Runnable> commit(List<Pending<T, R>> batch) {
        List<Runnable> answers = new ArrayList<>(batch.size());
        try {
            List<R> results = apply.apply(batch.stream().map(Pending::item).toList());
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<R> future = batch.get(i).result();
                R r = results.get(i);
                answers.add(() -> future.complete(r));
            }
        } catch (Throwable e) { // every waiting caller gets its answer, and the committer lives on
            if (!retryOneByOne) {
                LOG.errorf(e, "%s: a batch of %d failed", committer.getName(), batch.size());
                batch.forEach(p -> answers.add(() -> p.result().completeExceptionally(e)));
                return answers;
            }
            LOG.debugf(e, "%s: a batch of %d failed, retrying one by one", committer.getName(), batch.size());
            for (Pending<T, R> p : batch) {
                try {
                    R r = apply.apply(List.of(p.item())).get(0);
                    answers.add(() -> p.result().complete(r));
                } catch (Throwable single) {
                    LOG.errorf(single, "%s: %s failed", committer.getName(), p.item());
                    answers.add(() -> p.result().completeExceptionally(single));
                }
            }
        }
        return answers;
    }

    private void syncLoop() {
        while (running) { // an interrupt does not end it: committed answers must always be given
            try {
                Runnable first = committed.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    syncAndAnswer(first);
                }
            } catch (InterruptedException e) {
                LOG.debugf("%s: interrupted, going on while the writer runs", syncer.getName());
            }
        }
        syncAndAnswer(null);
    }

    /** Forces everything committed so far, then answers it (with {@code first}, already taken, first). */
    private synchronized void syncAndAnswer(Runnable first) {
        List<Runnable> due = new ArrayList<>();
        if (first != null) {
            due.add(first);
        }
        committed.drainTo(due);
        if (due.isEmpty()) {
            return;
        }
        try {
            sync.run();
        } catch (RuntimeException e) { // the commits stand (they must not be redone), only less durable: answer them
            LOG.errorf(e, "%s: forcing %d committed answers to the disk failed", syncer.getName(), due.size());
        }
        due.forEach(Runnable::run);
    }
}
