package org.corvid.persistence.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Versioned schema migrations (Flyway) for the two persistence units. Scripts live in
 * {@code db/migration/<unit>}, database-specific ones in {@code db/migration/<unit>-<vendor>} ({@code h2},
 * {@code postgresql}: the JDBC product name; Flyway's own {@code {vendor}} placeholder is not in its free edition); Hibernate never touches the schema.
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
                .locations("classpath:db/migration/" + unit, "classpath:db/migration/" + unit + "-" + vendor(dataSource))
                .table("flyway_schema_history")
                .load()
                .migrate();
        return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    }

    /** {@code h2}, {@code postgresql}, ...: the database product, lower case, without spaces. */
    private static String vendor(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).replace(" ", "");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the database to migrate: " + e.getMessage(), e);
        }
    }
}
