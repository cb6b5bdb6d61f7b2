package org.vpsd.server.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema's numbered migrations. Flyway applies and validates them. A database that already holds
 * exactly the migrations this build ships is left to itself without starting Flyway: every one
 * applied successfully under its version, script and checksum, and none this build does not know.
 * Flyway, with its plugins, class-path scan and validation, took 0.15-0.25 s of every start on such a
 * database (bench/RESULTS.md). Anything else, including any doubt or error while checking, goes to
 * Flyway, which migrates, or refuses as it always did (a changed or unknown applied migration, a
 * failed one).
 */
final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** Flyway's versioned SQL migrations: {@code V<version>__<description>.sql}. */
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

    /** One applied or shipped migration, as Flyway's schema history records it. */
    record Migration(String version, String description, String script, int checksum) {
    }

    private Migrations() {
    }

    /**
     * Migrations under {@code db/migration} run on every database; those under
     * {@code db/migration-postgresql} only on PostgreSQL, for what H2 cannot express (partial
     * indexes, trigger functions). Version numbers are shared by both folders: a version is used once.
     */
    static List<String> folders(Database.Kind kind) {
        return kind == Database.Kind.POSTGRESQL ? List.of("db/migration", "db/migration-postgresql") : List.of("db/migration");
    }

    static void migrate(DataSource ds, Database.Kind kind) {
        if (current(ds, kind)) {
            LOG.debug("Database schema current; Flyway not needed");
            return;
        }
        var result = Flyway.configure()
                .dataSource(ds)
                .locations(folders(kind).stream().map(f -> "classpath:" + f).toArray(String[]::new))
                .connectRetries(5)
                .load()
                .migrate();
        if (result.migrationsExecuted > 0) {
            LOG.info("Database schema migrated to version {} ({} migration(s))", result.targetSchemaVersion, result.migrationsExecuted);
        }
    }

    /** Whether the database's schema history holds exactly the migrations this build ships, all successful. */
    static boolean current(DataSource ds, Database.Kind kind) {
        try {
            Set<Migration> shipped = shipped(kind);
            return !shipped.isEmpty() && shipped.equals(applied(ds));
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.debug("Schema check left to Flyway: {}", e.toString());
            return false;
        }
    }

    /**
     * The applied migrations, or null when the history holds anything but successful versioned SQL
     * migrations and Flyway's own marker rows (a failure, a baseline, an undo, a repeatable migration).
     */
    static Set<Migration> applied(DataSource ds) throws SQLException {
        Set<Migration> applied = new HashSet<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT version, description, type, script, checksum, success FROM flyway_schema_history")) {
            while (r.next()) {
                String type = r.getString("type");
                String version = r.getString("version");
                if (version == null && ("TABLE".equals(type) || "SCHEMA".equals(type))) {
                    continue;
                }
                int checksum = r.getInt("checksum");
                if (!"SQL".equals(type) || version == null || r.wasNull() || !r.getBoolean("success")) {
                    return null;
                }
                applied.add(new Migration(version, r.getString("description"), r.getString("script"), checksum));
            }
        }
        return applied;
    }

    /** The versioned SQL migrations on the class path for {@code kind}; empty when any name is not one. */
    static Set<Migration> shipped(Database.Kind kind) throws IOException {
        Set<Migration> shipped = new HashSet<>();
        ClassLoader loader = Migrations.class.getClassLoader();
        for (String folder : folders(kind)) {
            Enumeration<URL> urls = loader.getResources(folder);
            if (!urls.hasMoreElements()) {
                return Set.of();
            }
            while (urls.hasMoreElements()) {
                for (String name : names(urls.nextElement(), folder)) {
                    Matcher m = VERSIONED.matcher(name);
                    if (!m.matches()) {
                        return Set.of();
                    }
                    try (InputStream in = loader.getResourceAsStream(folder + "/" + name)) {
                        if (in == null) {
                            return Set.of();
                        }
                        shipped.add(new Migration(m.group(1).replace('_', '.'), m.group(2).replace('_', ' '), name, checksum(in)));
                    }
                }
            }
        }
        return shipped;
    }

    /** The file names directly in {@code folder} at {@code url}, a directory or a folder in a jar. */
    private static List<String> names(URL url, String folder) throws IOException {
        List<String> names = new ArrayList<>();
        switch (url.getProtocol()) {
            case "file" -> {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
            }
            case "jar" -> {
                // The class loader's own open jar: shared, so not closed here.
                var jar = ((JarURLConnection) url.openConnection()).getJarFile();
                String prefix = folder + "/";
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    String entry = entries.nextElement().getName();
                    if (entry.startsWith(prefix) && entry.length() > prefix.length() && entry.indexOf('/', prefix.length()) < 0) {
                        names.add(entry.substring(prefix.length()));
                    }
                }
            }
            default -> throw new IOException("migrations at " + url + " are not in a directory or a jar");
        }
        return names;
    }

    /**
     * Flyway's checksum of a migration: CRC-32 over the UTF-8 bytes of its lines, without their line
     * breaks and without a byte order mark (Flyway's {@code ChecksumCalculator}). Were it ever to
     * differ, the only effect is that Flyway runs and validates as it did before this check existed.
     */
    static int checksum(InputStream in) throws IOException {
        CRC32 crc = new CRC32();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 4096);
        String line = reader.readLine();
        if (line != null && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
            line = line.substring(1);
        }
        for (; line != null; line = reader.readLine()) {
            crc.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return (int) crc.getValue();
    }
}
