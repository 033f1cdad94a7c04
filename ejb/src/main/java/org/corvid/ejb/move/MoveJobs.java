package org.corvid.ejb.move;

import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.corvid.persistence.mailstore.MoveJob;
import org.jboss.ejb3.annotation.SecurityDomain;

/** The move jobs this backend runs as their source; each method its own transaction. */
@Stateless
@PermitAll
@SecurityDomain("corvid")
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class MoveJobs {
    private static final List<MoveJob.State> FINISHED = List.copyOf(EnumSet.of(MoveJob.State.DONE, MoveJob.State.FAILED));

    @PersistenceContext(unitName = "mailstore")
    private EntityManager em;

    /** A detached copy of a job, to read. */
    public record View(String id, String mailbox, boolean wholeUser, String source, String target,
                       String targetPartition, MoveJob.State state, String requestedBy, long messagesTotal,
                       long messagesCopied, long bytesTotal, long bytesCopied, Long finalPhaseMillis,
                       java.time.OffsetDateTime createdAt, java.time.OffsetDateTime updatedAt,
                       java.time.OffsetDateTime finishedAt, String error) {
        static View of(MoveJob j) {
            return new View(j.getId(), j.getMailboxName(), j.isWholeUser(), j.getSourceServer(), j.getTargetServer(),
                    j.getTargetPartition(), j.getState(), j.getRequestedBy(), j.getMessagesTotal(),
                    j.getMessagesCopied(), j.getBytesTotal(), j.getBytesCopied(), j.getFinalPhaseMillis(),
                    j.getCreatedAt(), j.getUpdatedAt(), j.getFinishedAt(), j.getError());
        }
    }

    /** A new queued job, or null if a move of this mailbox, one above it or one under it is unfinished. */
    public View create(String mailbox, boolean wholeUser, String source, String target, String partition,
                       String requestedBy) {
        if (!em.createNamedQuery(MoveJob.UNFINISHED_OF, MoveJob.class).setParameter("finished", FINISHED)
                .setParameter("name", mailbox).getResultList().isEmpty()) {
            return null;
        }
        MoveJob j = new MoveJob(UUID.randomUUID().toString(), mailbox, wholeUser, source, target, partition,
                requestedBy);
        em.persist(j);
        return View.of(j);
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public View find(String id) {
        MoveJob j = em.find(MoveJob.class, id);
        return j == null ? null : View.of(j);
    }

    /** The latest {@code limit} jobs, newest first. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<View> recent(int limit) {
        return em.createNamedQuery(MoveJob.ALL, MoveJob.class).setMaxResults(limit).getResultStream().map(View::of)
                .toList();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<View> unfinished() {
        return em.createNamedQuery(MoveJob.UNFINISHED, MoveJob.class).setParameter("finished", FINISHED)
                .getResultStream().map(View::of).toList();
    }

    public void state(String id, MoveJob.State state, String error) {
        MoveJob j = em.find(MoveJob.class, id);
        j.setState(state);
        j.failedWith(error);
    }

    /** In the caller's transaction (the final phase's): the job is SWITCHED exactly when the source hides its copy. */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public void switched(String id, long finalPhaseMillis) {
        MoveJob j = em.find(MoveJob.class, id);
        j.setState(MoveJob.State.SWITCHED);
        j.setFinalPhaseMillis(finalPhaseMillis);
    }

    public void totals(String id, long messages, long bytes) {
        em.find(MoveJob.class, id).setTotals(messages, bytes);
    }

    public void progress(String id, long messages, long bytes) {
        em.find(MoveJob.class, id).setProgress(messages, bytes);
    }
}
