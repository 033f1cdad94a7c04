package org.corvid.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.corvid.persistence.migration.SchemaMigrations;
import org.h2.jdbcx.JdbcDataSource;

/**
 * One persistence unit on an in-memory H2 and on a real PostgreSQL (embedded binaries), each migrated by
 * Flyway exactly as the server does; entity managers by database name ("H2", "PostgreSQL").
 */
public final class JpaDatabases implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final Map<String, EntityManagerFactory> factories = new HashMap<>();

    public JpaDatabases(String unit) throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + unit + "-jpa;DB_CLOSE_DELAY=-1");
        factories.put("H2", factory(unit, h2, "H2"));
        factories.put("PostgreSQL", factory(unit, postgres.getPostgresDatabase(), "PostgreSQL"));
    }

    private static EntityManagerFactory factory(String unit, DataSource ds, String product) {
        SchemaMigrations.migrate(ds, unit);
        Map<String, Object> props = new HashMap<>();
        props.put("jakarta.persistence.transactionType", "RESOURCE_LOCAL");
        props.put("jakarta.persistence.jtaDataSource", null);
        props.put("jakarta.persistence.nonJtaDataSource", ds);
        props.put("jakarta.persistence.database-product-name", product);
        return Persistence.createEntityManagerFactory(unit, props);
    }

    public DataSource postgres() {
        return postgres.getPostgresDatabase();
    }

    /** Runs {@code work} in one transaction on {@code db}; rolled back if it throws. */
    public void tx(String db, Consumer<EntityManager> work) {
        EntityManager em = factories.get(db).createEntityManager();
        try {
            em.getTransaction().begin();
            work.accept(em);
            em.getTransaction().commit();
        } finally {
            if (em.getTransaction().isActive()) {
                em.getTransaction().rollback();
            }
            em.close();
        }
    }

    public <T> T read(String db, Function<EntityManager, T> query) {
        EntityManager em = factories.get(db).createEntityManager();
        try {
            return query.apply(em);
        } finally {
            em.close();
        }
    }

    @Override
    public void close() throws Exception {
        factories.values().forEach(EntityManagerFactory::close);
        postgres.close();
    }
}
