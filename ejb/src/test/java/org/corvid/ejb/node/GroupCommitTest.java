package org.corvid.ejb.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    /** Records what was committed and what was synced: an answer must never come before its sync. */
    private static final class Log {
        final List<Integer> committed = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger synced = new AtomicInteger(); // how many items the last sync covered
        final List<Integer> answered = Collections.synchronizedList(new ArrayList<>());
    }

    @Test
    void answersInArrivalOrderOnlyAfterTheSyncThatFollowedTheirCommit() throws Exception {
        Log log = new Log();
        CountDownLatch syncing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        GroupCommit<Integer, Integer> gc = new GroupCommit<>(Thread::new, "test", 4, batch -> {
            log.committed.addAll(batch);
            return batch.stream().map(i -> i * 10).toList();
        }, () -> {
            syncing.countDown();
            await(release);
            log.synced.set(log.committed.size());
        }, false);
        try {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            results.add(gc.submit(0));
            assertTrue(syncing.await(5, TimeUnit.SECONDS));
            // while item 0 is being synced, the committer goes on with the next ones
            for (int i = 1; i < 10; i++) {
                results.add(gc.submit(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (log.committed.size() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(10, log.committed.size(), "committed while the first sync ran");
            for (CompletableFuture<Integer> r : results) {
                assertTrue(!r.isDone(), "no answer before its sync");
                r.thenAccept(v -> log.answered.add(v / 10));
            }
            release.countDown();
            // wait on the answers, not with get(): a thread in get() may itself run a completed future's callbacks,
            // which would reorder the log without the answers being out of order
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (log.answered.size() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), log.answered);
            for (int i = 0; i < 10; i++) {
                assertEquals(i * 10, results.get(i).get(5, TimeUnit.SECONDS));
            }
            assertEquals(10, log.synced.get(), "the last sync covered every commit");
        } finally {
            gc.stop();
        }
    }

    @Test
    void aFailedItemFailsAloneWhenRetriedOneByOneAndStaysInOrder() throws Exception {
        GroupCommit<Integer, Integer> gc = new GroupCommit<>(Thread::new, "test", 8, batch -> {
            if (batch.contains(3)) {
                throw new IllegalArgumentException("bad item");
            }
            return batch;
        }, () -> { }, true);
        try {
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            List<Integer> answered = Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 6; i++) {
                int item = i;
                results.add(gc.submit(i).whenComplete((v, e) -> answered.add(item)));
            }
            for (int i = 0; i < 6; i++) {
                if (i == 3) {
                    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                            () -> results.get(3).get(5, TimeUnit.SECONDS));
                    assertEquals("bad item", e.getCause().getMessage());
                } else {
                    assertEquals(i, results.get(i).get(5, TimeUnit.SECONDS));
                }
            }
            assertEquals(List.of(0, 1, 2, 3, 4, 5), answered);
        } finally {
            gc.stop();
        }
    }

    @Test
    void aFailingSyncStillAnswersWhatWasCommitted() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        GroupCommit<Integer, Integer> gc = new GroupCommit<>(Thread::new, "test", 4, batch -> batch, () -> {
            if (syncs.incrementAndGet() == 1) {
                throw new IllegalStateException("disk gone");
            }
        }, false);
        try {
            assertEquals(1, gc.submit(1).get(5, TimeUnit.SECONDS));
            assertEquals(2, gc.submit(2).get(5, TimeUnit.SECONDS), "the sync thread survived the failure");
            assertTrue(syncs.get() >= 2);
        } finally {
            gc.stop();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
