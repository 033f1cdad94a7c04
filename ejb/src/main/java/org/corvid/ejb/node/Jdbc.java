package org.corvid.ejb.node;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Plain statements on the connection of the current JTA transaction (lent by Hibernate's {@code doWork}), for the
 * hot write paths where entities cost more than their rows: delivery batches and the master's write batches.
 */
public final class Jdbc {
    private Jdbc() {
    }

    /** Runs {@code sql} once with {@code params}, set in order with {@code setObject}; the update count. */
    public static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** Runs {@code sql} once per row of {@code rows}: one statement, batched when there are several. */
    public static void insert(Connection c, String sql, List<Object[]> rows) throws SQLException {
        if (rows.size() == 1) {
            update(c, sql, rows.get(0)); // H2's executeBatch makes an exception per call, used or not
            return;
        }
        if (rows.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    ps.setObject(i + 1, row[i]);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
