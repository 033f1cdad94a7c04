package org.corvid.persistence.migration;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Versioned schema migrations (Flyway) for the two persistence units. Scripts live in
 * {@code db/migration/<unit>}; Hibernate never touches the schema.
 */
public final class SchemaMigrations {
    public static final String MUPDATE = "mupdate";
    public static final String MAILSTORE = "mailstore";

    private SchemaMigrations() {
    }

    /** Brings the schema of {@code unit} on {@code dataSource} to the newest version; returns the version reached. */
    public static String migrate(DataSource dataSource, String unit) {
        MigrateResult result = Flyway.configure(SchemaMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration/" + unit)
                .table("flyway_schema_history")
                .load()
                .migrate();
        return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    }
}
