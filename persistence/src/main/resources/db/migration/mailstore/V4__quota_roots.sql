-- Quota roots (RFC 9208): limits for a mailbox and everything under it; usage is counted from the messages.
CREATE TABLE quota_root (
    name          VARCHAR(1024) NOT NULL,
    -- STORAGE limit in KiB, MESSAGE limit in messages; NULL: no limit on that resource
    storage_limit BIGINT,
    message_limit BIGINT,
    CONSTRAINT pk_quota_root PRIMARY KEY (name)
);
