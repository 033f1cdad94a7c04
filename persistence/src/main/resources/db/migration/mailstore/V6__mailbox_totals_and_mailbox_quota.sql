-- Each mailbox's message count and bytes, kept up to date under the mailbox's write lock by append and expunge,
-- so a quota check sums a few mailbox rows instead of every message under the root (as Cyrus keeps usage in
-- its quota database). The MAILBOX resource (RFC 9208 5.3) limits the number of mailboxes under a root.
ALTER TABLE mailbox ADD COLUMN total_bytes BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE mailbox ADD COLUMN total_messages BIGINT DEFAULT 0 NOT NULL;
UPDATE mailbox SET
    total_bytes = (SELECT COALESCE(SUM(m.size), 0) FROM message m WHERE m.mailbox_id = mailbox.id),
    total_messages = (SELECT COUNT(*) FROM message m WHERE m.mailbox_id = mailbox.id);
ALTER TABLE quota_root ADD COLUMN mailbox_limit BIGINT;
