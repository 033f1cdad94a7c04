package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A quota root (RFC 9208): STORAGE (KiB) and MESSAGE limits for a mailbox and the mailboxes under it. */
@Entity
@Table(name = "quota_root")
@NamedQuery(name = QuotaRoot.USAGE, query = "select coalesce(sum(m.size), 0), count(m) from Message m, Mailbox b"
        + " where m.mailboxId = b.id and (b.name = :root or b.name like :children escape '\\')")
public class QuotaRoot {
    /** [bytes, messages] used under {@code :root} ({@code :children} = escaped root + ".%"). */
    public static final String USAGE = "QuotaRoot.usage";

    @Id
    @Column(length = 1024)
    private String name;

    @Column(name = "storage_limit")
    private Long storageLimit;

    @Column(name = "message_limit")
    private Long messageLimit;

    protected QuotaRoot() {
    }

    public QuotaRoot(String name) {
        this.name = name;
    }

    public String getName() { return name; }
    public Long getStorageLimit() { return storageLimit; }
    public Long getMessageLimit() { return messageLimit; }

    public void setLimits(Long storageKib, Long messages) {
        this.storageLimit = storageKib;
        this.messageLimit = messages;
    }
}
