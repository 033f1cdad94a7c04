-- Live moves between backends. On the destination, the mailboxes a move is copying in carry its id and are
-- hidden from every lookup until the move switches them on; on the source, the moved mailboxes get the move's
-- id at the switch, which hides them at once, and are deleted afterwards.
ALTER TABLE mailbox ADD COLUMN move_id VARCHAR(64);
CREATE INDEX ix_mailbox_move ON mailbox (move_id);
-- A move run by this backend (the source): what, where to, its phase and progress; kept as history when done.
CREATE TABLE move_job (
    id                 VARCHAR(64)   NOT NULL,
    mailbox_name       VARCHAR(1024) NOT NULL,
    whole_user         BOOLEAN       NOT NULL,
    source_server      VARCHAR(255)  NOT NULL,
    target_server      VARCHAR(255)  NOT NULL,
    target_partition   VARCHAR(255),
    state              VARCHAR(32)   NOT NULL,
    requested_by       VARCHAR(255)  NOT NULL,
    messages_total     BIGINT        DEFAULT 0 NOT NULL,
    messages_copied    BIGINT        DEFAULT 0 NOT NULL,
    bytes_total        BIGINT        DEFAULT 0 NOT NULL,
    bytes_copied       BIGINT        DEFAULT 0 NOT NULL,
    final_phase_millis BIGINT,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at        TIMESTAMP WITH TIME ZONE,
    error              VARCHAR(2000),
    CONSTRAINT pk_move_job PRIMARY KEY (id)
);
CREATE INDEX ix_move_job_mailbox ON move_job (mailbox_name);
