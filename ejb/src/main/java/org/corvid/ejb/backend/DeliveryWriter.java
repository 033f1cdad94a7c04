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
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.corvid.ejb.node.DurableCommit;
import org.corvid.ejb.node.GroupCommit;
import org.jboss.ejb3.annotation.SecurityDomain;

/**
 * Group commit for deliveries: LMTP sessions stage their copies (spool files written and forced, in parallel)
 * and hand them here; one committer stores whatever has queued up (up to {@value #MAX_BATCH}) in one
 * transaction, so concurrent deliveries share a database commit instead of queueing for one each. A delivery
 * is answered only after its batch committed and was forced to the disk (by a second thread, while the next batch
 * commits); if a batch fails, each of its copies fails (LMTP answers
 * {@code 451}, the MTA retries: nothing is lost; a retry here is impossible, the rollback deleted the files).
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@PermitAll
@SecurityDomain("corvid")
public class DeliveryWriter {
    static final int MAX_BATCH = 64;

    @Resource
    private ManagedThreadFactory threads;

    @EJB
    private MessageStore messages;

    @Resource(lookup = "java:jboss/datasources/CorvidMailstoreDS")
    private DataSource mailstore;

    private GroupCommit<MessageStore.Staged, Long> writer;

    @PostConstruct
    void start() {
        writer = new GroupCommit<>(threads, "corvid-delivery-writer", MAX_BATCH,
                batch -> Arrays.stream(messages.store(batch)).boxed().toList(),
                () -> DurableCommit.force(mailstore), false); // forced before any 250
    }

    @PreDestroy
    void stop() {
        writer.stop();
    }

    /**
     * Queues a staged copy; the future completes with its UID (or -1, {@link MessageStore#OVER_QUOTA}) after the
     * commit, or exceptionally if its batch failed. It always completes, so a session may wait without a timeout
     * (a timeout could answer 451 for a copy that then commits: the MTA's retry would deliver it twice).
     */
    public CompletableFuture<Long> submit(MessageStore.Staged staged) {
        return writer.submit(staged);
    }
}
