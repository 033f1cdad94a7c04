package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A quota root (RFC 9208): STORAGE (KiB), MESSAGE and MAILBOX limits for a mailbox and the mailboxes under it. */
@Entity
@Table(name = "quota_root")
@NamedQuery(name = QuotaRoot.USAGE, query = "select coalesce(sum(b.totalBytes), 0), coalesce(sum(b.totalMessages), 0),"
        + " count(b) from Mailbox b where (b.name = :root or b.name like :children escape '\\') and b.moveId is null")
public class QuotaRoot {
    /** [bytes, messages, mailboxes] used under {@code :root} ({@code :children} = escaped root + ".%"). */
    public static final String USAGE = "QuotaRoot.usage";

    @Id
    @Column(length = 1024)
    private String name;

    @Column(name = "storage_limit")
    private Long storageLimit;

    @Column(name = "message_limit")
    private Long messageLimit;

    @Column(name = "mailbox_limit")
    private Long mailboxLimit;

    protected QuotaRoot() {
    }

    public QuotaRoot(String name) {
        this.name = name;
    }

    public String getName() { return name; }
    public Long getStorageLimit() { return storageLimit; }
    public Long getMessageLimit() { return messageLimit; }
    public Long getMailboxLimit() { return mailboxLimit; }

    public void setLimits(Long storageKib, Long messages, Long mailboxes) {
        this.storageLimit = storageKib;
        this.messageLimit = messages;
        this.mailboxLimit = mailboxes;
    }
}
