-- Per-user \Seen for mailboxes a user does not own (shared mailboxes, other users' folders), as Cyrus keeps
-- a seen database per user: the UIDs the user has seen, as an IMAP sequence set ("1:500,502"). The owner's
-- \Seen stays in the message's flags.
CREATE TABLE seen_state (
    user_name  VARCHAR(255) NOT NULL,
    mailbox_id BIGINT       NOT NULL,
    seen_uids  VARCHAR      DEFAULT '' NOT NULL,
    CONSTRAINT pk_seen_state PRIMARY KEY (user_name, mailbox_id),
    CONSTRAINT fk_seen_state_mailbox FOREIGN KEY (mailbox_id) REFERENCES mailbox (id) ON DELETE CASCADE
);
