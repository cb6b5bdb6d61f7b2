package org.vpsd.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.ColumnMapper;

/**
 * The connection pool, JDBI and the schema. Opening a database migrates it to the newest schema
 * (Flyway's numbered migrations under {@code db/migration}, {@link Migrations}), whichever process
 * gets there first.
 */
public final class Database implements AutoCloseable {

    /** Which engine is behind the JDBC URL. */
    public enum Kind {
        H2("H2 (embedded)"),
        POSTGRESQL("PostgreSQL");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public static Kind of(String jdbcUrl) {
            if (jdbcUrl.startsWith("jdbc:h2:")) {
                return H2;
            }
            if (jdbcUrl.startsWith("jdbc:postgresql:")) {
                return POSTGRESQL;
            }
            throw new IllegalArgumentException("Unsupported database URL (use jdbc:h2:... or jdbc:postgresql:...): " + jdbcUrl);
        }
    }

    private final HikariDataSource dataSource;
    private final HikariDataSource backgroundDataSource;
    private final Jdbi jdbi;
    private final Jdbi backgroundJdbi;
    private final Kind kind;
    private final String url;
    private final DatabaseHealth health;
    private final GroupCommit groupCommit;
    private final CatalogCache catalogCache;
    private final AddressHints addressHints = new AddressHints();

    private Database(HikariDataSource dataSource, HikariDataSource backgroundDataSource, Kind kind, String url) {
        this.dataSource = dataSource;
        this.backgroundDataSource = backgroundDataSource;
        this.kind = kind;
        this.url = url;
        this.health = new DatabaseHealth(probeUrl(url, kind));
        this.groupCommit = kind == Kind.H2 ? new GroupCommit(url) : null;
        this.catalogCache = kind == Kind.POSTGRESQL ? new CatalogCache() : null;
        this.jdbi = configure(Jdbi.create(dataSource));
        this.backgroundJdbi = configure(Jdbi.create(
                new GatedConnections(backgroundDataSource, backgroundDataSource.getMaximumPoolSize(), health::check)));
    }

    private static Jdbi configure(Jdbi jdbi) {
        jdbi.registerArgument(new InstantArgumentFactory());
        // Optional filters bind every parameter and use only some of them in the SQL.
        jdbi.getConfig(org.jdbi.v3.core.statement.SqlStatements.class).setUnusedBindingAllowed(true);
        jdbi.registerColumnMapper(Instant.class, new InstantColumnMapper());
        return jdbi;
    }

    /** The connections of the background pool for a request pool of {@code poolSize}: a quarter, at least 2. */
    public static int backgroundPoolSize(int poolSize) {
        return Math.max(2, poolSize / 4);
    }

    /**
     * Opens the pools on {@code jdbcUrl} and migrates the schema. Requests get {@code poolSize}
     * connections; background work (the engine, the simulator's machines, billing, usage and
     * reconciliation) a pool of its own ({@link #backgroundPoolSize}), so that however much work is
     * queued, a request never waits behind it for a connection (bench/RESULTS.md: with one pool, 256
     * provisioning steps in flight made creates on PostgreSQL time out).
     */
    public static Database open(String jdbcUrl, int poolSize, String poolName) {
        Kind kind = Kind.of(jdbcUrl);
        HikariDataSource ds = pool(jdbcUrl, kind, poolSize, poolName);
        HikariDataSource background;
        try {
            Migrations.migrate(ds, kind);
            background = pool(jdbcUrl, kind, backgroundPoolSize(poolSize), poolName + "-background");
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, background, kind, jdbcUrl);
    }

    private static HikariDataSource pool(String jdbcUrl, Kind kind, int poolSize, String poolName) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(jdbcUrl);
        cfg.setPoolName(poolName);
        cfg.setMaximumPoolSize(poolSize);
        cfg.setMinimumIdle(Math.min(2, poolSize));
        cfg.setAutoCommit(true);
        cfg.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // A request may queue for a connection under load; while the database is away, DatabaseHealth
        // refuses work at once instead (503), so this wait is only ever spent on a busy pool.
        cfg.setConnectionTimeout(15_000);
        cfg.setValidationTimeout(1_000);
        cfg.setInitializationFailTimeout(-1);
        if (kind == Kind.POSTGRESQL) {
            cfg.addDataSourceProperty("reWriteBatchedInserts", "true");
            cfg.addDataSourceProperty("tcpKeepAlive", "true");
            // A read that waits 30 s closes its connection, timed by PgSocketFactory's watchdog rather than
            // by pgjdbc's socketTimeout, which makes every read a timed one (see PgSocketFactory).
            cfg.addDataSourceProperty("socketFactory", PgSocketFactory.class.getName());
            cfg.addDataSourceProperty(PgSocketFactory.READ_TIMEOUT, "30");
            cfg.addDataSourceProperty("connectTimeout", "3");
            // Every statement vpsd sends is a key lookup or a short range with bound parameters, and
            // each is planned the same way whatever the values. PostgreSQL's default replans a statement
            // whenever a custom plan looks cheaper than the generic one, which for the five-way join of a
            // server costs more than running it (1.3 ms of planning for 0.2 ms of execution per page).
            cfg.addDataSourceProperty("options", "-c plan_cache_mode=force_generic_plan");
        }
        return new HikariDataSource(cfg);
    }

    /**
     * The JDBC URL of the embedded database in {@code dataDir}. {@code AUTO_SERVER} lets the
     * {@code vpsd} subcommands open it while {@code vpsd serve} runs. Commits are made durable by
     * {@link GroupCommit} before they are acknowledged. H2's chunk retention stays at its default
     * (45 s): with {@code RETENTION_TIME=0}, which vpsd set until 2026-12-05 to keep the file small,
     * H2 2.4.240 reused a chunk's space while it was still referenced, and under the benchmark's
     * writes a commit failed with "Chunk ... not found" and the file then refused to open ("Double
     * mark"; h2database/h2database#4383, #2752). {@code QUERY_CACHE_SIZE} keeps every statement vpsd
     * uses parsed (H2's default keeps 8). {@code AUTO_COMPACT_FILL_RATE=50}: H2 rewrites chunks in the
     * background while less than this share of the file is live data. Its default, 90, had it
     * rewriting a 100,000-server database on every start, on one of the 2 cores while vpsd was
     * starting (first answer after 1.6-2.7 s instead of 1.6 s, bench/RESULTS.md); at 50 the file is
     * still compacted once it is half empty.
     */
    public static String h2Url(java.nio.file.Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("vpsd")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
                + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;QUERY_CACHE_SIZE=256;AUTO_COMPACT_FILL_RATE=50";
    }

    /** Returns once what this thread committed is durable (at once on PostgreSQL, whose commits are). */
    void awaitDurable() {
        if (groupCommit != null) {
            groupCommit.awaitDurable();
        }
    }

    /** A URL for the health probe: the same database, with short timeouts on PostgreSQL. */
    private static String probeUrl(String url, Kind kind) {
        if (kind != Kind.POSTGRESQL) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + "connectTimeout=2&socketTimeout=3";
    }

    /**
     * The catalog as this database's server reads last saw it, on PostgreSQL (see {@link CatalogCache});
     * null on H2, whose reads join the catalog in-process.
     */
    CatalogCache catalogCache() {
        return catalogCache;
    }

    /** Where this database's address pools' never-used addresses begin, as this process last saw (see {@link AddressHints}). */
    AddressHints addressHints() {
        return addressHints;
    }

    /** JDBI on the request pool. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** JDBI on the background pool. */
    public Jdbi backgroundJdbi() {
        return backgroundJdbi;
    }

    public DatabaseHealth health() {
        return health;
    }

    public Kind kind() {
        return kind;
    }

    /** The URL without credentials, for logs. */
    public String describe() {
        return kind.label() + " at " + url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
        health.close();
        backgroundDataSource.close();
        dataSource.close();
    }

    /** Binds instants as {@code TIMESTAMP WITH TIME ZONE} in UTC, whatever the JVM's zone. */
    static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
        InstantArgumentFactory() {
            super(Types.TIMESTAMP_WITH_TIMEZONE);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            return (position, statement, ctx) -> Jdbc.setInstant(statement, position, value);
        }
    }

    static final class InstantColumnMapper implements ColumnMapper<Instant> {
        @Override
        public Instant map(java.sql.ResultSet r, int columnNumber, org.jdbi.v3.core.statement.StatementContext ctx)
                throws java.sql.SQLException {
            OffsetDateTime t = r.getObject(columnNumber, OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
    }
}
