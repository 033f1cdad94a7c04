package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Objects;

/** A message's metadata; its bytes are the spool file. UIDs grow within a mailbox and are never reused. */
@Entity
@Table(name = "message")
@NamedQuery(name = Message.OF_MAILBOX, query = "select m from Message m where m.mailboxId = :mailbox order by m.uid")
// :seen = "\\seen", :deleted = "\\deleted"; only system flags contain a backslash, so the substring test is exact
@NamedQuery(name = Message.COUNTS_OF_MAILBOX, query = "select count(m), "
        + "sum(case when locate(:seen, lower(m.flags)) > 0 then 0 else 1 end), sum(m.size), "
        + "sum(case when locate(:deleted, lower(m.flags)) > 0 then 1 else 0 end) "
        + "from Message m where m.mailboxId = :mailbox")
@NamedQuery(name = Message.BY_UIDS,
        query = "select m from Message m where m.mailboxId = :mailbox and m.uid in :uids order by m.uid")
@NamedQuery(name = Message.FILES_OF_MAILBOX, query = "select m.spoolFile from Message m where m.mailboxId = :mailbox")
@NamedQuery(name = Message.OF_MAILBOX_AFTER,
        query = "select m from Message m where m.mailboxId = :mailbox and m.uid > :after order by m.uid")
@NamedQuery(name = Message.CHANGED_SINCE, query = "select m.uid, m.modseq, m.flags from Message m "
        + "where m.mailboxId = :mailbox and m.modseq > :since and m.uid <= :upTo order by m.uid")
@NamedQuery(name = Message.FLAGS_OF_MAILBOX,
        query = "select m.uid, m.modseq, m.flags from Message m where m.mailboxId = :mailbox order by m.uid")
@NamedQuery(name = Message.MODIFIED_SINCE,
        query = "select m from Message m where m.mailboxId = :mailbox and m.modseq > :since order by m.uid")
@NamedQuery(name = Message.UIDS_UP_TO,
        query = "select m.uid from Message m where m.mailboxId = :mailbox and m.uid <= :upTo order by m.uid")
public class Message {
    /** Messages of {@code :mailbox} with a UID above {@code :after}, in UID order (page with a maximum). */
    public static final String OF_MAILBOX_AFTER = "Message.ofMailboxAfter";
    /** [uid, modseq, flags] of the messages up to UID {@code :upTo} changed after MODSEQ {@code :since}. */
    public static final String CHANGED_SINCE = "Message.changedSince";
    /** [uid, modseq, flags] of every message of {@code :mailbox}, in UID order (a SELECT: no entity is made). */
    public static final String FLAGS_OF_MAILBOX = "Message.flagsOfMailbox";
    /** Messages of {@code :mailbox} added or changed after MODSEQ {@code :since}, in UID order. */
    public static final String MODIFIED_SINCE = "Message.modifiedSince";
    /** The UIDs of {@code :mailbox} up to {@code :upTo}, in order. */
    public static final String UIDS_UP_TO = "Message.uidsUpTo";
    public static final String FILES_OF_MAILBOX = "Message.filesOfMailbox";
    public static final String OF_MAILBOX = "Message.ofMailbox";
    public static final String COUNTS_OF_MAILBOX = "Message.countsOfMailbox";
    public static final String BY_UIDS = "Message.byUids";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "message_seq")
    @SequenceGenerator(name = "message_seq", sequenceName = "message_seq", allocationSize = 50)
    private Long id;

    @Column(name = "mailbox_id", nullable = false)
    private long mailboxId;

    @Column(nullable = false)
    private long uid;

    @Column(nullable = false)
    private long modseq;

    @Column(nullable = false, length = 4000)
    private String flags;

    @Column(name = "internal_date", nullable = false)
    private OffsetDateTime internalDate;

    @Column(nullable = false)
    private long size;

    @Column(name = "spool_file", nullable = false, length = 512)
    private String spoolFile;

    protected Message() {
    }

    public Message(long mailboxId, long uid, long modseq, String flags, OffsetDateTime internalDate, long size,
                   String spoolFile) {
        this.mailboxId = mailboxId;
        this.uid = uid;
        this.modseq = modseq;
        this.flags = Objects.requireNonNull(flags);
        this.internalDate = Objects.requireNonNull(internalDate);
        this.size = size;
        this.spoolFile = Objects.requireNonNull(spoolFile);
    }

    public Long getId() { return id; }
    public long getMailboxId() { return mailboxId; }
    public long getUid() { return uid; }
    public long getModseq() { return modseq; }
    public String getFlags() { return flags; }
    public OffsetDateTime getInternalDate() { return internalDate; }
    public long getSize() { return size; }
    public String getSpoolFile() { return spoolFile; }

    public void setFlags(String flags, long modseq) {
        this.flags = Objects.requireNonNull(flags);
        this.modseq = modseq;
    }
}
