package org.corvid.persistence.mupdate;

import org.corvid.persistence.JpaDatabases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.persistence.PersistenceException;
import java.util.List;
import org.corvid.persistence.migration.SchemaMigrations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code mupdate} unit's entity and named queries on both supported databases: H2 (the embedded default)
 * and a real PostgreSQL (embedded binaries), each migrated by Flyway exactly as the server does.
 */
class MailboxLocationJpaTest {
    private static JpaDatabases databases;

    @BeforeAll
    static void start() throws Exception {
        databases = new JpaDatabases(SchemaMigrations.MUPDATE);
    }

    @AfterAll
    static void stop() throws Exception {
        databases.close();
    }


    private static List<String> page(String db, String after, String prefix, int size) {
        return databases.read(db, em -> (prefix == null
                ? em.createNamedQuery(MailboxLocation.PAGE, Object[].class)
                : em.createNamedQuery(MailboxLocation.PAGE_BY_LOCATION_PREFIX, Object[].class)
                        .setParameter("prefix", prefix + "%"))
                .setParameter("after", after).setMaxResults(size).getResultStream()
                .map(row -> (String) row[0]).toList());
    }

    /**
     * Pages come in byte order of the names whatever the database's collation: Cyrus slaves merge an UPDATE
     * dump with their own list by strcmp, so "user.A" &lt; "user.Z" &lt; "user.a.b" &lt; "user.a_b" &lt; "user.ab".
     */
    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void pagesInByteOrderOfTheNames(String db) {
        String p = db.toLowerCase() + "-order.";
        List<String> sorted = List.of(p + "user.A", p + "user.Z", p + "user.a.b", p + "user.a_b", p + "user.ab",
                p + "user.b");
        databases.tx(db, em -> List.of(4, 1, 5, 0, 3, 2).forEach(i ->
                em.persist(new MailboxLocation(sorted.get(i), "o1!default", "", MailboxState.ACTIVE))));
        assertEquals(sorted, page(db, p, null, 100).stream().filter(n -> n.startsWith(p)).toList());
        assertEquals(sorted.subList(3, 6), page(db, sorted.get(2), null, 3));
    }

    /** The byte order above holds on a PostgreSQL whose default collation is not C: the column's is. */
    @Test
    void postgresqlNamesUseTheCCollation() throws Exception {
        try (var c = databases.postgres().getConnection();
             var rs = c.createStatement().executeQuery("select collation_name from information_schema.columns"
                     + " where table_name = 'mailbox_location' and column_name = 'name'")) {
            assertTrue(rs.next());
            assertEquals("C", rs.getString(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void storesFindsPagesAndRefusesDuplicates(String db) {
        String p = db.toLowerCase() + ".";
        databases.tx(db, em -> {
            em.persist(new MailboxLocation(p + "user.c", "b_1!default", "c\tlrs\t", MailboxState.ACTIVE));
            em.persist(new MailboxLocation(p + "user.a", "bx1!default", "", MailboxState.RESERVED));
            em.persist(new MailboxLocation(p + "user.b", "b_1", "b\tlrs\t", MailboxState.ACTIVE));
        });
        MailboxLocation c = databases.read(db, em -> em.createNamedQuery(MailboxLocation.BY_NAME, MailboxLocation.class)
                .setParameter("name", p + "user.c").getSingleResult());
        assertEquals("b_1!default", c.getLocation());
        assertEquals("b_1", c.getServer());
        assertEquals("default", c.getPartition());
        assertEquals("c\tlrs\t", c.getAcl());
        assertEquals(MailboxState.ACTIVE, c.getState());
        MailboxLocation b = databases.read(db, em -> em.createNamedQuery(MailboxLocation.BY_NAME, MailboxLocation.class)
                .setParameter("name", p + "user.b").getSingleResult());
        assertNull(b.getPartition(), "no ! in the location");

        // keyset paging in name order
        assertEquals(List.of(p + "user.a", p + "user.b"), page(db, p, null, 2));
        assertEquals(List.of(p + "user.c"), page(db, p + "user.b", null, 2).stream().filter(n -> n.startsWith(p)).toList());
        // location prefix with LIKE wildcards escaped: "b\_1" matches b_1..., not bx1...
        assertEquals(List.of(p + "user.b", p + "user.c"),
                page(db, p, "b\\_1", 10).stream().filter(n -> n.startsWith(p)).toList());

        // a second entry with the same name is refused at commit
        assertThrows(PersistenceException.class, () -> databases.tx(db, em -> {
            em.persist(new MailboxLocation(p + "user.a", "b2!default", "", MailboxState.RESERVED));
            em.flush();
        }));

        // updates bump the version
        databases.tx(db, em -> em.createNamedQuery(MailboxLocation.BY_NAME, MailboxLocation.class)
                .setParameter("name", p + "user.a").getSingleResult()
                .set("b2!p2", "a\tlrs\t", MailboxState.ACTIVE));
        MailboxLocation a = databases.read(db, em -> em.createNamedQuery(MailboxLocation.BY_NAME, MailboxLocation.class)
                .setParameter("name", p + "user.a").getSingleResult());
        assertEquals(1, a.getVersion());
        assertEquals("b2", a.getServer());
        assertEquals(3L, (long) databases.read(db, em -> em.createQuery(
                "select count(l) from MailboxLocation l where l.name like :p", Long.class)
                .setParameter("p", p + "%").getSingleResult()));
    }
}
