package org.corvid.persistence.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {

    private static JdbcDataSource memoryDb(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        return ds;
    }

    @Test
    void mupdateSchemaIsCreatedOnceAndRefusesDuplicateNamesAndUnknownStates() throws SQLException {
        JdbcDataSource ds = memoryDb("mupdate");
        assertEquals("3", SchemaMigrations.migrate(ds, SchemaMigrations.MUPDATE));
        assertEquals("3", SchemaMigrations.migrate(ds, SchemaMigrations.MUPDATE), "second run is a no-op");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // the cluster's master lease: one row, nobody holds it yet
            try (ResultSet rs = s.executeQuery("select id, epoch, holder, expires_at from master_lease")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals(0, rs.getLong(2));
                assertEquals("", rs.getString(3));
                assertFalse(rs.next());
            }
            s.executeUpdate("insert into mailbox_location values (1,'user.bob','b1!default','b1','default','bob\tlrswipkxtecda\t','ACTIVE','u1',0,current_timestamp)");
            assertThrows(SQLException.class, () -> s.executeUpdate(
                    "insert into mailbox_location values (2,'user.bob','b2!default','b2','default','','ACTIVE','u2',0,current_timestamp)"));
            assertThrows(SQLException.class, () -> s.executeUpdate(
                    "insert into mailbox_location values (3,'user.eve','b2!default','b2','default','','GONE','u3',0,current_timestamp)"));
            try (ResultSet rs = s.executeQuery("select count(*) from mailbox_location")) {
                rs.next();
                assertEquals(1, rs.getInt(1));
            }
        }
    }

    @Test
    void mailstoreSchemaIsCreated() throws SQLException {
        JdbcDataSource ds = memoryDb("mailstore");
        assertEquals("8", SchemaMigrations.migrate(ds, SchemaMigrations.MAILSTORE));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from mailbox")) {
            rs.next();
            assertEquals(0, rs.getInt(1));
        }
    }
}
