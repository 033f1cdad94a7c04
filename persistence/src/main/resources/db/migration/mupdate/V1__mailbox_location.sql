-- The MUPDATE master's authoritative list: mailbox name -> location (server!partition), ACL, state.
CREATE TABLE mailbox_location (
    id          BIGINT        NOT NULL,
    name        VARCHAR(1024) NOT NULL,
    -- the location exactly as the backend wrote it, usually server!partition (the partition may be empty)
    location    VARCHAR(512)  NOT NULL,
    -- the part of the location before '!', for host-filtered UPDATE streams
    server      VARCHAR(512)  NOT NULL,
    -- the part after '!', NULL if the location has none
    partition_name VARCHAR(512),
    -- Cyrus ACL text: id<TAB>rights<TAB>...; empty for reservations
    acl         VARCHAR(8000) NOT NULL,
    state       VARCHAR(16)   NOT NULL,
    unique_id   VARCHAR(64)   NOT NULL,
    version     BIGINT        NOT NULL,
    last_change TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_mailbox_location PRIMARY KEY (id),
    CONSTRAINT uq_mailbox_location_name UNIQUE (name),
    CONSTRAINT ck_mailbox_location_state CHECK (state IN ('RESERVED', 'ACTIVE'))
);
-- LIST by location prefix, and UPDATE filtered by host, both page by name
CREATE INDEX ix_mailbox_location_location_name ON mailbox_location (location, name);
CREATE INDEX ix_mailbox_location_server_name ON mailbox_location (server, name);
CREATE SEQUENCE mailbox_location_seq START WITH 1 INCREMENT BY 50;
