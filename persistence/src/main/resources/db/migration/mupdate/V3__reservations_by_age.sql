-- The master's once-a-minute sweep of reservations whose creator vanished (state RESERVED, oldest first) reads
-- only what it needs, not the whole list.
CREATE INDEX ix_mailbox_location_state_change ON mailbox_location (state, last_change);
