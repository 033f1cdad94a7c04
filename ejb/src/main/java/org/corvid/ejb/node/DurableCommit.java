package org.corvid.ejb.node;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Makes committed transactions survive a power failure on H2. H2 writes a commit to its file but never forces
 * it to the disk (its documented "durability problems"), so a commit alone survives a crash of the server, not
 * of the machine. Whoever answers "stored" (LMTP {@code 250}, APPEND {@code OK}, a MUPDATE write) after a
 * commit calls {@link #force} first; one {@code CHECKPOINT SYNC} covers every commit before it, so a group
 * commit pays it once per batch. PostgreSQL forces its WAL at commit: nothing to do there.
 */
public final class DurableCommit {
    private static final Logger LOG = Logger.getLogger(DurableCommit.class);

    private DurableCommit() {
    }

    /**
     * Forces the commits already made through {@code ds} to the disk; call it outside any transaction. A failure
     * is logged, not thrown: the commit stands (its callers must not redo it), it is only less durable.
     */
    public static void force(DataSource ds) {
        try (Connection c = ds.getConnection()) {
            if ("H2".equals(c.getMetaData().getDatabaseProductName())) {
                try (Statement s = c.createStatement()) {
                    s.execute("CHECKPOINT SYNC");
                }
            }
        } catch (SQLException e) {
            LOG.errorf(e, "cannot force committed data to the disk");
        }
    }
}
