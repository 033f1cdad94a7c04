-- The MUPDATE master's lease (cluster fencing, docs/cluster.md): one row. A node becomes master by taking it
-- (epoch + 1) once it has expired; every write of the list is conditional on the epoch it took, in the same
-- transaction, so a master that was replaced (frozen, partitioned) can never change the list again.
CREATE TABLE master_lease (
    id         INTEGER      NOT NULL,
    epoch      BIGINT       NOT NULL,
    -- the holder's node name and its MUPDATE address (host:port), where the other nodes relay MUPDATE clients
    holder     VARCHAR(255) NOT NULL,
    address    VARCHAR(255) NOT NULL,
    -- milliseconds since the epoch (the holder's clock; nodes' clocks must agree well within the lease)
    expires_at BIGINT       NOT NULL,
    CONSTRAINT pk_master_lease PRIMARY KEY (id)
);
INSERT INTO master_lease (id, epoch, holder, address, expires_at) VALUES (1, 0, '', '', 0);
