package org.corvid.ejb.backend;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * Group commit for deliveries: LMTP sessions stage their copies (spool files written and forced, in parallel)
 * and hand them here; one committer stores whatever has queued up (up to {@value #MAX_BATCH}) in one
 * transaction, so concurrent deliveries share a database commit instead of queueing for one each. A delivery
 * is answered only after its batch committed; if a batch fails, each of its copies fails (LMTP answers
 * {@code 451}, the MTA retries: nothing is lost).
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class DeliveryWriter {
    private static final Logger LOG = Logger.getLogger(DeliveryWriter.class);
    static final int MAX_BATCH = 64;

    private record Pending(MessageStore.Staged staged, CompletableFuture<Long> uid) {
    }

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

    @Resource
    private ManagedThreadFactory threads;

    @EJB
    private MessageStore messages;

    private Thread committer;
    private volatile boolean running;

    @PostConstruct
    void start() {
        running = true;
        committer = threads.newThread(this::commitLoop);
        committer.setName("corvid-delivery-writer");
        committer.start();
    }

    @PreDestroy
    void stop() {
        running = false;
        committer.interrupt();
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.uid().completeExceptionally(new IllegalStateException("the server is stopping")));
    }

    /**
     * Queues a staged copy; the future completes with its UID (or -1, {@link MessageStore#OVER_QUOTA}) after the
     * commit, or exceptionally if its batch failed. It always completes, so a session may wait without a timeout
     * (a timeout could answer 451 for a copy that then commits: the MTA's retry would deliver it twice).
     */
    public CompletableFuture<Long> submit(MessageStore.Staged staged) {
        CompletableFuture<Long> uid = new CompletableFuture<>();
        queue.add(new Pending(staged, uid));
        return uid;
    }

    private void commitLoop() {
        while (running) {
            List<Pending> batch = new ArrayList<>();
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                long[] uids = messages.store(batch.stream().map(Pending::staged).toList());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).uid().complete(uids[i]);
                }
            } catch (Throwable e) { // every waiting session gets its answer, and the committer lives on
                LOG.errorf(e, "storing a batch of %d deliveries failed", batch.size());
                batch.forEach(p -> p.uid().completeExceptionally(e));
            }
        }
    }
}
