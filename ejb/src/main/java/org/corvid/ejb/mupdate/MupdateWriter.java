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
import java.util.function.BiConsumer;
import javax.sql.DataSource;
import org.corvid.ejb.mupdate.MupdateService.Outcome;
import org.corvid.ejb.mupdate.MupdateService.Write;
import org.corvid.ejb.node.DurableCommit;
import org.corvid.ejb.node.GroupCommit;
import org.jboss.ejb3.annotation.SecurityDomain;

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
    static final int MAX_BATCH = 256;

    @Resource
    private ManagedThreadFactory threads;

    @EJB
    private MupdateService list;

    @Resource(lookup = "java:jboss/datasources/CorvidMupdateDS")
    private DataSource mupdate;

    private GroupCommit<Write, Outcome> writer;

    @PostConstruct
    void start() {
        writer = new GroupCommit<>(threads, "corvid-mupdate-writer", MAX_BATCH, list::apply,
                () -> DurableCommit.force(mupdate), true); // forced before any answer
    }

    @PreDestroy
    void stop() {
        writer.stop();
    }

    /**
     * Queues {@code write}; {@code answer} gets its outcome once it is committed and forced to the disk (or the
     * failure), on the writer's sync thread, in arrival order. The caller does not wait: a connection's
     * pipelined writes can share one commit.
     */
    public void submit(Write write, BiConsumer<Outcome, Throwable> answer) {
        writer.submit(write).whenComplete(answer);
    }
}
