package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.util.Objects;
import java.util.UUID;

/** A mailbox held by this backend: its IMAP identity (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ) and partition. */
@Entity
@Table(name = "mailbox")
@NamedQuery(name = Mailbox.COUNT, query = "select count(m) from Mailbox m where m.moveId is null")
@NamedQuery(name = Mailbox.BY_NAME, query = "select m from Mailbox m where m.name = :name and m.moveId is null")
@NamedQuery(name = Mailbox.PLACE_BY_NAME, query = "select m.partition, m.uniqueId from Mailbox m where m.name = :name and m.moveId is null")
@NamedQuery(name = Mailbox.SELF_AND_CHILDREN,
        query = "select m from Mailbox m where (m.name = :name or m.name like :children escape '\\') and m.moveId is null"
                + " order by m.name")
@NamedQuery(name = Mailbox.ALL, query = "select m from Mailbox m where m.moveId is null order by m.name")
@NamedQuery(name = Mailbox.MOVING_NAMES, query = "select m.name from Mailbox m where m.moveId is not null")
@NamedQuery(name = Mailbox.MOVING_BY_NAME, query = "select count(m) from Mailbox m where m.name = :name and m.moveId is not null")
@NamedQuery(name = Mailbox.OF_MOVE, query = "select m from Mailbox m where m.moveId = :move order by m.name")
@NamedQuery(name = Mailbox.BY_UNIQUE_ID, query = "select m from Mailbox m where m.uniqueId = :uniqueId")
public class Mailbox {
    /** The mailboxes hidden by move {@code :move} (copied in on a destination, or moved out on a source). */
    public static final String OF_MOVE = "Mailbox.ofMove";
    /** How many hidden mailboxes (a move's, in or out) have {@code :name}: 0 or 1. */
    public static final String MOVING_BY_NAME = "Mailbox.movingByName";
    /** The names a move hides here (copying them in, or just moved out). */
    public static final String MOVING_NAMES = "Mailbox.movingNames";
    public static final String BY_UNIQUE_ID = "Mailbox.byUniqueId";
    public static final String COUNT = "Mailbox.count";
    /** Partition and unique id (no managed entity: a later locking query must read fresh state). */
    public static final String PLACE_BY_NAME = "Mailbox.placeByName";
    public static final String BY_NAME = "Mailbox.byName";
    /** {@code :name} and the names under it ({@code :children} = escaped name + ".%"), in name order. */
    public static final String SELF_AND_CHILDREN = "Mailbox.selfAndChildren";
    public static final String ALL = "Mailbox.all";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "mailbox_seq")
    @SequenceGenerator(name = "mailbox_seq", sequenceName = "mailbox_seq", allocationSize = 50)
    private Long id;

    @Column(nullable = false, unique = true, length = 1024)
    private String name;

    @Column(name = "partition_name", nullable = false)
    private String partition;

    @Column(name = "unique_id", nullable = false, unique = true, length = 64)
    private String uniqueId;

    @Column(name = "uid_validity", nullable = false)
    private long uidValidity;

    @Column(name = "uid_next", nullable = false)
    private long uidNext;

    @Column(name = "highest_modseq", nullable = false)
    private long highestModseq;

    @Column(name = "special_use", length = 64)
    private String specialUse;

    @Column(name = "total_bytes", nullable = false)
    private long totalBytes;

    @Column(name = "total_messages", nullable = false)
    private long totalMessages;

    /** Cyrus ACL text: {@code id<TAB>rights<TAB>...}. */
    @Column(nullable = false, length = 8000)
    private String acl = "";

    /** Set while a move hides this mailbox (see {@link #OF_MOVE}); every other query skips it. */
    @Column(name = "move_id", length = 64)
    private String moveId;

    @Version
    private long version;

    protected Mailbox() {
    }

    public Mailbox(String name, String partition, long uidValidity, String acl) {
        this.acl = Objects.requireNonNull(acl);
        this.name = Objects.requireNonNull(name);
        this.partition = Objects.requireNonNull(partition);
        this.uniqueId = UUID.randomUUID().toString();
        this.uidValidity = uidValidity;
        this.uidNext = 1;
        this.highestModseq = 1;
    }

    /**
     * A mailbox being copied in by move {@code moveId}, hidden until the move switches it on, with the identity
     * it had on its source: unique id, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ carry over, so clients resume.
     */
    public static Mailbox movingIn(String moveId, String name, String partition, String uniqueId, long uidValidity,
                                   long uidNext, long highestModseq, String acl, String specialUse) {
        Mailbox m = new Mailbox(name, partition, uidValidity, acl);
        m.moveId = Objects.requireNonNull(moveId);
        m.uniqueId = Objects.requireNonNull(uniqueId);
        m.uidNext = uidNext;
        m.highestModseq = highestModseq;
        m.specialUse = specialUse;
        return m;
    }

    public Long getId() { return id; }
    public String getMoveId() { return moveId; }
    /** Hides the mailbox for move {@code moveId}, or (null) shows it. */
    public void setMoveId(String moveId) { this.moveId = moveId; }

    /** A copied-in mailbox catches up with its source's counters (they only grow). */
    public void catchUp(long uidNext, long highestModseq, String acl) {
        this.uidNext = Math.max(this.uidNext, uidNext);
        this.highestModseq = Math.max(this.highestModseq, highestModseq);
        this.acl = Objects.requireNonNull(acl);
    }

    /** A copied-in message of {@code size} bytes arrived; an expunged one left (negative). */
    public void copiedIn(long size, int messages) {
        totalBytes += size;
        totalMessages += messages;
    }
    public String getName() { return name; }
    public String getPartition() { return partition; }
    public String getUniqueId() { return uniqueId; }
    public long getUidValidity() { return uidValidity; }
    public long getUidNext() { return uidNext; }
    public long getHighestModseq() { return highestModseq; }
    public String getSpecialUse() { return specialUse; }
    public long getTotalBytes() { return totalBytes; }
    public long getTotalMessages() { return totalMessages; }
    public void setSpecialUse(String specialUse) { this.specialUse = specialUse; }
    public String getAcl() { return acl; }
    public void setAcl(String acl) { this.acl = Objects.requireNonNull(acl); }

    /** Keeps the totals (quota usage) in step with an appended message of {@code size} bytes. */
    public void added(long size) {
        totalBytes += size;
        totalMessages++;
    }

    /** Keeps the totals in step with an expunged message of {@code size} bytes. */
    public void removed(long size) {
        totalBytes -= size;
        totalMessages--;
    }

    /** A new MODSEQ for a change of flags or an expunge. */
    public long nextModseq() {
        return ++highestModseq;
    }

    /** RENAME: a new name, and a new UIDVALIDITY (RFC 9051 6.3.6: the renamed mailbox is a new one to clients). */
    public void rename(String newName, long newUidValidity) {
        this.name = Objects.requireNonNull(newName);
        this.uidValidity = newUidValidity;
    }
}
