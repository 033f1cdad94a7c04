package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * A live move of a mailbox (or of a whole user) from this backend to another, kept in the source's mailstore: it
 * survives restarts (the runner resumes or rolls it back) and stays as history when finished.
 */
@Entity
@Table(name = "move_job")
@NamedQuery(name = MoveJob.ALL, query = "select j from MoveJob j order by j.createdAt desc")
@NamedQuery(name = MoveJob.UNFINISHED, query = "select j from MoveJob j where j.state not in :finished order by j.createdAt")
@NamedQuery(name = MoveJob.UNFINISHED_OF, query = "select j from MoveJob j where j.state not in :finished "
        + "and (j.mailboxName = :name or :name like concat(j.mailboxName, '.%') or j.mailboxName like concat(:name, '.%'))")
public class MoveJob {
    public static final String ALL = "MoveJob.all";
    /** Jobs not finished ({@code :finished} = the finished states). */
    public static final String UNFINISHED = "MoveJob.unfinished";
    /** Unfinished jobs on {@code :name}, on a mailbox above it, or under it. */
    public static final String UNFINISHED_OF = "MoveJob.unfinishedOf";

    /**
     * QUEUED → COPYING (the mailbox stays live) → FINAL (RESERVED at the master, writes held, last changes sent)
     * → SWITCHED (the destination holds it) → DONE after the source's copy is removed; or, on any failure before
     * SWITCHED, → ROLLING_BACK → FAILED with the mailbox back as it was at the source.
     */
    public enum State {
        QUEUED, COPYING, FINAL, SWITCHED, DONE, ROLLING_BACK, FAILED;

        public boolean finished() {
            return this == DONE || this == FAILED;
        }
    }

    @Id
    @Column(length = 64)
    private String id;

    @Column(name = "mailbox_name", nullable = false, length = 1024)
    private String mailboxName;

    @Column(name = "whole_user", nullable = false)
    private boolean wholeUser;

    @Column(name = "source_server", nullable = false)
    private String sourceServer;

    @Column(name = "target_server", nullable = false)
    private String targetServer;

    @Column(name = "target_partition")
    private String targetPartition;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 32)
    private State state;

    @Column(name = "requested_by", nullable = false)
    private String requestedBy;

    @Column(name = "messages_total", nullable = false)
    private long messagesTotal;

    @Column(name = "messages_copied", nullable = false)
    private long messagesCopied;

    @Column(name = "bytes_total", nullable = false)
    private long bytesTotal;

    @Column(name = "bytes_copied", nullable = false)
    private long bytesCopied;

    @Column(name = "final_phase_millis")
    private Long finalPhaseMillis;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    private OffsetDateTime updatedAt;

    @Column(name = "finished_at")
    private OffsetDateTime finishedAt;

    @Column(length = 2000)
    private String error;

    protected MoveJob() {
    }

    public MoveJob(String id, String mailboxName, boolean wholeUser, String sourceServer, String targetServer,
                   String targetPartition, String requestedBy) {
        this.id = Objects.requireNonNull(id);
        this.mailboxName = Objects.requireNonNull(mailboxName);
        this.wholeUser = wholeUser;
        this.sourceServer = Objects.requireNonNull(sourceServer);
        this.targetServer = Objects.requireNonNull(targetServer);
        this.targetPartition = targetPartition;
        this.requestedBy = Objects.requireNonNull(requestedBy);
        this.state = State.QUEUED;
        this.createdAt = OffsetDateTime.now();
        this.updatedAt = createdAt;
    }

    public String getId() { return id; }
    public String getMailboxName() { return mailboxName; }
    public boolean isWholeUser() { return wholeUser; }
    public String getSourceServer() { return sourceServer; }
    public String getTargetServer() { return targetServer; }
    public String getTargetPartition() { return targetPartition; }
    public State getState() { return state; }
    public String getRequestedBy() { return requestedBy; }
    public long getMessagesTotal() { return messagesTotal; }
    public long getMessagesCopied() { return messagesCopied; }
    public long getBytesTotal() { return bytesTotal; }
    public long getBytesCopied() { return bytesCopied; }
    public Long getFinalPhaseMillis() { return finalPhaseMillis; }
    public OffsetDateTime getCreatedAt() { return createdAt; }
    public OffsetDateTime getUpdatedAt() { return updatedAt; }
    public OffsetDateTime getFinishedAt() { return finishedAt; }
    public String getError() { return error; }

    public void setState(State state) {
        this.state = Objects.requireNonNull(state);
        this.updatedAt = OffsetDateTime.now();
        if (state.finished()) {
            finishedAt = updatedAt;
        }
    }

    public void setTotals(long messages, long bytes) {
        this.messagesTotal = messages;
        this.bytesTotal = bytes;
    }

    /** What was copied so far; messages that arrived during the copy raise the totals. */
    public void setProgress(long messages, long bytes) {
        this.messagesCopied = messages;
        this.bytesCopied = bytes;
        this.messagesTotal = Math.max(messagesTotal, messages);
        this.bytesTotal = Math.max(bytesTotal, bytes);
        this.updatedAt = OffsetDateTime.now();
    }

    public void setFinalPhaseMillis(long millis) {
        this.finalPhaseMillis = millis;
    }

    /** The first failure is kept (a rollback's own trouble does not hide why the move failed). */
    public void failedWith(String error) {
        if (this.error == null && error != null) {
            this.error = error.length() > 2000 ? error.substring(0, 2000) : error;
        }
    }
}
