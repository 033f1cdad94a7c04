-- The mailbox's ACL as Cyrus writes it (id<TAB>rights<TAB>...), the text the backend ACTIVATEs at the master.
ALTER TABLE mailbox ADD COLUMN acl VARCHAR(8000) DEFAULT '' NOT NULL;
-- LIST/LSUB subscriptions, per user, by internal mailbox name (a subscription may outlive its mailbox).
CREATE TABLE subscription (
    user_name    VARCHAR(255)  NOT NULL,
    mailbox_name VARCHAR(1024) NOT NULL,
    CONSTRAINT pk_subscription PRIMARY KEY (user_name, mailbox_name)
);
