-- MUPDATE dumps (LIST, UPDATE) page by name and must come in byte order: Cyrus slaves merge them with their
-- own sorted list by strcmp. PostgreSQL orders by the database's collation (en_US.UTF-8 ignores punctuation
-- at first level), so the name column and its unique index use the "C" collation whatever the database's is.
ALTER TABLE mailbox_location ALTER COLUMN name TYPE VARCHAR(1024) COLLATE "C";
