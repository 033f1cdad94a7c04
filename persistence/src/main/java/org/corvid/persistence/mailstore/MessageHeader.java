package org.corvid.persistence.mailstore;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.util.Objects;

/**
 * A message's header block, kept beside its metadata so header searches and envelope fetches need no spool
 * read. Removed with its message (foreign key {@code ON DELETE CASCADE}).
 */
@Entity
@Table(name = "message_header")
@NamedQuery(name = MessageHeader.OF_MAILBOX, query = "select m.uid, h.header from Message m, MessageHeader h "
        + "where h.messageId = m.id and m.mailboxId = :mailbox")
@NamedQuery(name = MessageHeader.BY_UIDS, query = "select m.uid, h.header from Message m, MessageHeader h "
        + "where h.messageId = m.id and m.mailboxId = :mailbox and m.uid in :uids")
public class MessageHeader {
    public static final String OF_MAILBOX = "MessageHeader.ofMailbox";
    public static final String BY_UIDS = "MessageHeader.byUids";
    /** Headers larger than this stay in the spool file only. */
    public static final int MAX_BYTES = 64 * 1024;

    @Id
    @Column(name = "message_id")
    private Long messageId;

    @Column(nullable = false)
    private byte[] header;

    protected MessageHeader() {
    }

    public MessageHeader(long messageId, byte[] header) {
        this.messageId = messageId;
        this.header = Objects.requireNonNull(header);
    }

    public byte[] getHeader() { return header; }
}
