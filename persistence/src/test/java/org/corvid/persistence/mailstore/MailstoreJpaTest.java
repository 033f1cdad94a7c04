package org.corvid.persistence.mailstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.corvid.persistence.migration.SchemaMigrations;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code mailstore} unit on H2 and a real PostgreSQL: its Flyway schema, entity mappings and named queries
 * (validated when the factory is built), mailbox hierarchy queries with LIKE escaping, messages by UID and
 * quota usage.
 */
class MailstoreJpaTest {
    private static EmbeddedPostgres postgres;
    private static final Map<String, EntityManagerFactory> FACTORIES = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:mailstore-jpa;DB_CLOSE_DELAY=-1");
        FACTORIES.put("H2", factory(h2, "H2"));
        FACTORIES.put("PostgreSQL", factory(postgres.getPostgresDatabase(), "PostgreSQL"));
    }

    private static EntityManagerFactory factory(DataSource ds, String product) {
        SchemaMigrations.migrate(ds, SchemaMigrations.MAILSTORE);
        Map<String, Object> props = new HashMap<>();
        props.put("jakarta.persistence.transactionType", "RESOURCE_LOCAL");
        props.put("jakarta.persistence.jtaDataSource", null);
        props.put("jakarta.persistence.nonJtaDataSource", ds);
        props.put("jakarta.persistence.database-product-name", product);
        return Persistence.createEntityManagerFactory(SchemaMigrations.MAILSTORE, props);
    }

    @AfterAll
    static void stop() throws Exception {
        FACTORIES.values().forEach(EntityManagerFactory::close);
        postgres.close();
    }

    private static void tx(String db, Consumer<EntityManager> work) {
        EntityManager em = FACTORIES.get(db).createEntityManager();
        try {
            em.getTransaction().begin();
            work.accept(em);
            em.getTransaction().commit();
        } finally {
            em.close();
        }
    }

    private static <T> T read(String db, Function<EntityManager, T> work) {
        EntityManager em = FACTORIES.get(db).createEntityManager();
        try {
            return work.apply(em);
        } finally {
            em.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void hierarchyMessagesAndQuotaUsage(String db) {
        tx(db, em -> {
            for (String name : List.of("user.a_b", "user.a_b.x", "user.axb", "user.a_b2")) {
                em.persist(new Mailbox(name, "default", 1, "a\tlrs\t"));
            }
        });
        assertEquals(List.of("user.a_b", "user.a_b.x"), read(db, em -> em.createNamedQuery(Mailbox.SELF_AND_CHILDREN,
                Mailbox.class).setParameter("name", "user.a_b").setParameter("children", "user.a\\_b.%")
                .getResultStream().map(Mailbox::getName).toList()), "_ is escaped: user.axb is not a child");
        long id = read(db, em -> em.createNamedQuery(Mailbox.BY_NAME, Mailbox.class).setParameter("name", "user.a_b.x")
                .getSingleResult().getId());
        tx(db, em -> {
            em.persist(new Message(id, 1, 2, "\\Seen", OffsetDateTime.now(), 100, "u/1.eml"));
            em.persist(new Message(id, 2, 3, "", OffsetDateTime.now(), 50, "u/2.eml"));
            QuotaRoot q = new QuotaRoot("user.a_b");
            q.setLimits(10L, null);
            em.persist(q);
        });
        assertEquals(List.of(2L), read(db, em -> em.createNamedQuery(Message.BY_UIDS, Message.class)
                .setParameter("mailbox", id).setParameter("uids", List.of(2L, 7L)).getResultStream()
                .map(Message::getUid).toList()));
        Object[] usage = read(db, em -> em.createNamedQuery(QuotaRoot.USAGE, Object[].class)
                .setParameter("root", "user.a_b").setParameter("children", "user.a\\_b.%").getSingleResult());
        assertEquals(150L, ((Number) usage[0]).longValue());
        assertEquals(2L, ((Number) usage[1]).longValue());
        tx(db, em -> em.createNamedQuery(Subscription.OF_USER, String.class).setParameter("user", "a").getResultList());
    }
}
