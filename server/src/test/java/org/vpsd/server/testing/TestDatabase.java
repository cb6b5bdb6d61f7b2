package org.vpsd.server.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Where a test's vpsd keeps its data. The system property {@code vpsd.test.database} chooses:
 * {@code h2} (the default) for an embedded database in the test's directory, or a PostgreSQL JDBC
 * URL, under which each test server gets a schema of its own, dropped afterwards.
 */
public final class TestDatabase {
    private final String url;
    private final String schema;
    private final String adminUrl;

    private TestDatabase(String url, String schema, String adminUrl) {
        this.url = url;
        this.schema = schema;
        this.adminUrl = adminUrl;
    }

    public static String configured() {
        return System.getProperty("vpsd.test.database", "h2");
    }

    public static boolean postgres() {
        return configured().startsWith("jdbc:postgresql:");
    }

    /** A fresh database for one test server; {@code dataDir} holds the H2 file when H2 is used. */
    public static TestDatabase create(Path dataDir) {
        String configured = configured();
        if (!configured.startsWith("jdbc:postgresql:")) {
            return new TestDatabase(null, null, null);
        }
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(configured); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test schema on " + configured + ": " + e.getMessage(), e);
        }
        String sep = configured.contains("?") ? "&" : "?";
        return new TestDatabase(configured + sep + "currentSchema=" + schema, schema, configured);
    }

    /** The JDBC URL for vpsd, or null for the embedded database in the data directory. */
    public String url() {
        return url;
    }

    public void drop() {
        if (schema == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("Could not drop test schema " + schema + ": " + e.getMessage());
        }
    }
}
