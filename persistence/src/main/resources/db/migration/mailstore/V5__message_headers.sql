-- The header block of each message (up to and including the blank line), as Cyrus keeps headers in its
-- cyrus.cache: SEARCH on header fields and FETCH ENVELOPE / BODY[HEADER...] read it here instead of opening
-- every spool file. A message without a row (header over 64 KiB) is read from its spool file.
CREATE TABLE message_header (
    message_id BIGINT NOT NULL,
    header     BYTEA  NOT NULL,
    CONSTRAINT pk_message_header PRIMARY KEY (message_id),
    CONSTRAINT fk_message_header_message FOREIGN KEY (message_id) REFERENCES message (id) ON DELETE CASCADE
);
