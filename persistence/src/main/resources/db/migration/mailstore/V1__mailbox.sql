-- A backend's local mailboxes.
CREATE TABLE mailbox (
    id              BIGINT        NOT NULL,
    name            VARCHAR(1024) NOT NULL,
    partition_name  VARCHAR(255)  NOT NULL,
    unique_id       VARCHAR(64)   NOT NULL,
    uid_validity    BIGINT        NOT NULL,
    uid_next        BIGINT        NOT NULL,
    highest_modseq  BIGINT        NOT NULL,
    special_use     VARCHAR(64),
    version         BIGINT        NOT NULL,
    CONSTRAINT pk_mailbox PRIMARY KEY (id),
    CONSTRAINT uq_mailbox_name UNIQUE (name),
    CONSTRAINT uq_mailbox_unique_id UNIQUE (unique_id)
);
CREATE SEQUENCE mailbox_seq START WITH 1 INCREMENT BY 50;
