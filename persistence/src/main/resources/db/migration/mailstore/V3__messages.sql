-- Messages: metadata here, the bytes in the partition's spool (one file per message, fsynced before commit).
CREATE TABLE message (
    id            BIGINT        NOT NULL,
    mailbox_id    BIGINT        NOT NULL,
    uid           BIGINT        NOT NULL,
    modseq        BIGINT        NOT NULL,
    -- system flags and keywords, space-separated (e.g. "\Seen \Flagged $Label1")
    flags         VARCHAR(4000) DEFAULT '' NOT NULL,
    internal_date TIMESTAMP WITH TIME ZONE NOT NULL,
    size          BIGINT        NOT NULL,
    -- the spool file, relative to the partition's directory
    spool_file    VARCHAR(512)  NOT NULL,
    CONSTRAINT pk_message PRIMARY KEY (id),
    CONSTRAINT fk_message_mailbox FOREIGN KEY (mailbox_id) REFERENCES mailbox (id) ON DELETE CASCADE,
    CONSTRAINT uq_message_uid UNIQUE (mailbox_id, uid)
);
CREATE SEQUENCE message_seq START WITH 1 INCREMENT BY 50;
