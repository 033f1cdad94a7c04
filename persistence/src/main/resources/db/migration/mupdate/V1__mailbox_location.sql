-- The MUPDATE master's authoritative list: mailbox name -> server!partition, ACL, state.
CREATE TABLE mailbox_location (
    id          BIGINT       NOT NULL,
    name        VARCHAR(1024) NOT NULL,
    server      VARCHAR(255) NOT NULL,
    partition_name VARCHAR(255) NOT NULL,
    acl         VARCHAR(4000) NOT NULL,
    state       VARCHAR(16)  NOT NULL,
    unique_id   VARCHAR(64)  NOT NULL,
    version     BIGINT       NOT NULL,
    last_change TIMESTAMP    NOT NULL,
    CONSTRAINT pk_mailbox_location PRIMARY KEY (id),
    CONSTRAINT uq_mailbox_location_name UNIQUE (name),
    CONSTRAINT ck_mailbox_location_state CHECK (state IN ('RESERVED', 'ACTIVE'))
);
-- host-filtered UPDATE streams page by (server, name)
CREATE INDEX ix_mailbox_location_server_name ON mailbox_location (server, name);
CREATE SEQUENCE mailbox_location_seq START WITH 1 INCREMENT BY 50;
