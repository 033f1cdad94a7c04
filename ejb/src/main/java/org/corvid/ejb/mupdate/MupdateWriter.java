package org.corvid.ejb.mupdate;

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
import java.util.function.BiConsumer;
import org.corvid.ejb.mupdate.MupdateService.Outcome;
import org.corvid.ejb.mupdate.MupdateService.Write;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/**
 * The one writer of the master's list: MUPDATE connections hand it their writes (without waiting: their answers
 * are deferred, so a connection's pipelined writes can share a commit), it applies whatever has queued up (up to
 * {@value #MAX_BATCH}) in one transaction — group commit — and answers each only after that commit.
 * A single writer also orders everything: writes apply, commit and are published in arrival order. If a batch
 * fails, its writes are retried one by one so that one bad write cannot fail the others.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class MupdateWriter {
    private static final Logger LOG = Logger.getLogger(MupdateWriter.class);
    static final int MAX_BATCH = 256;

    private record Pending(Write write, CompletableFuture<Outcome> outcome) {
    }

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

    @Resource
    private ManagedThreadFactory threads;

    @EJB
    private MupdateService list;

    private Thread committer;
    private volatile boolean running;

    @PostConstruct
    void start() {
        running = true;
        committer = threads.newThread(this::commitLoop);
        committer.setName("corvid-mupdate-writer");
        committer.start();
    }

    @PreDestroy
    void stop() {
        running = false;
        committer.interrupt();
    }

    /**
     * Queues {@code write}; {@code answer} gets its outcome once it is committed (or the failure), on the
     * writer's thread. The caller does not wait: a connection's pipelined writes can share one commit.
     */
    public void submit(Write write, BiConsumer<Outcome, Throwable> answer) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        outcome.whenComplete(answer);
        queue.add(new Pending(write, outcome));
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
                List<Outcome> outcomes = list.apply(batch.stream().map(Pending::write).toList());
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).outcome().complete(outcomes.get(i));
                }
            } catch (RuntimeException e) {
                LOG.debugf(e, "a batch of %d list writes failed, retrying them one by one", batch.size());
                for (Pending p : batch) {
                    try {
                        p.outcome().complete(list.apply(List.of(p.write())).get(0));
                    } catch (RuntimeException single) {
                        LOG.errorf(single, "list write %s failed", p.write());
                        p.outcome().completeExceptionally(single);
                    }
                }
            }
        }
    }
}
