package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** The UIDs one user has seen in a mailbox they do not own, as a sequence set ({@code 1:500,502}). */
@Entity
@Table(name = "seen_state")
@IdClass(SeenState.Key.class)
@NamedQuery(name = SeenState.OF_MAILBOX, query = "select s from SeenState s where s.mailboxId = :mailbox")
public class SeenState {
    public static final String OF_MAILBOX = "SeenState.ofMailbox";

    @Id
    @Column(name = "user_name", length = 255)
    private String userName;

    @Id
    @Column(name = "mailbox_id")
    private long mailboxId;

    @Column(name = "seen_uids", nullable = false)
    private String seenUids = "";

    protected SeenState() {
    }

    public SeenState(String userName, long mailboxId) {
        this.userName = Objects.requireNonNull(userName);
        this.mailboxId = mailboxId;
    }

    public String getUserName() { return userName; }
    public long getMailboxId() { return mailboxId; }
    public String getSeenUids() { return seenUids; }

    public void setSeenUids(String seenUids) {
        this.seenUids = Objects.requireNonNull(seenUids);
    }

    /** The composite key. */
    public record Key(String userName, long mailboxId) implements Serializable {
        public Key() {
            this(null, 0);
        }
    }
}
