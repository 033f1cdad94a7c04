package org.corvid.ejb.node;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.security.PermitAll;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.corvid.persistence.migration.SchemaMigrations;
import org.jboss.ejb3.annotation.SecurityDomain;
import org.jboss.logging.Logger;

/** Brings both schemas (mupdate, mailstore) to the newest Flyway version when the application starts. */
@Singleton
@Startup
@PermitAll
@SecurityDomain("corvid")
@TransactionManagement(TransactionManagementType.BEAN) // Flyway runs its own local transactions
public class SchemaMigrator {
    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class);

    @Resource(lookup = "java:jboss/datasources/CorvidMupdateDS")
    private DataSource mupdate;

    @Resource(lookup = "java:jboss/datasources/CorvidMailstoreDS")
    private DataSource mailstore;

    private final Map<String, String> versions = new TreeMap<>();

    @PostConstruct
    void migrate() {
        versions.put(SchemaMigrations.MUPDATE, SchemaMigrations.migrate(mupdate, SchemaMigrations.MUPDATE));
        versions.put(SchemaMigrations.MAILSTORE, SchemaMigrations.migrate(mailstore, SchemaMigrations.MAILSTORE));
        LOG.infof("Database schemas at %s", versions);
    }

    /** Persistence unit → schema version reached. */
    public Map<String, String> versions() {
        return Map.copyOf(versions);
    }
}
