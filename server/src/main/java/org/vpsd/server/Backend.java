package org.vpsd.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.config.VpsdConfig;
import org.vpsd.server.domain.AccountService;
import org.vpsd.server.domain.Billing;
import org.vpsd.server.domain.CatalogService;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.domain.SshKeyService;
import org.vpsd.server.domain.Transactor;
import org.vpsd.server.domain.WorkSignal;
import org.vpsd.server.store.Database;
import org.vpsd.server.store.JdbiTransactor;

/**
 * The database and the domain services on it, without HTTP or engine: what the provider's
 * subcommands ({@code vpsd accounts create ...}) use, whether or not a server runs on the same
 * database, and what {@link App} builds on.
 */
public final class Backend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Backend.class);

    public final VpsdConfig config;
    public final Database database;
    /** Work on the request pool: what HTTP requests and the subcommands do. */
    public final Transactor tx;
    /** Work on the background pool: the engine, billing, usage, reconciliation. */
    public final Transactor backgroundTx;
    public final Clock clock;
    public final AccountService accounts;
    public final CatalogService catalog;
    public final SshKeyService sshKeys;

    private Backend(VpsdConfig config, Database database, Clock clock) {
        this.config = config;
        this.database = database;
        this.clock = clock;
        this.tx = new JdbiTransactor(database);
        this.backgroundTx = JdbiTransactor.background(database);
        this.accounts = new AccountService(tx, clock);
        this.catalog = new CatalogService(tx);
        this.sshKeys = new SshKeyService(tx, clock);
    }

    /** Opens (and migrates) the configured database; refuses the embedded one in production unless allowed. */
    public static Backend open(VpsdConfig config) {
        if (config.production() && config.embedded() && !config.allowEmbeddedDatabase()) {
            throw new IllegalStateException("Production mode refuses the embedded H2 database: give --database "
                    + "jdbc:postgresql://... (or VPSD_DATABASE), or --allow-embedded-database to run on H2 anyway.");
        }
        if (config.embedded() && config.databaseUrl() == null) {
            try {
                Files.createDirectories(config.dataDir());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot create the data directory " + config.dataDir() + ": " + e.getMessage(), e);
            }
        }
        Database db = Database.open(config.jdbcUrl(), config.dbPoolSize(), "vpsd-" + config.replicaId());
        return new Backend(config, db, Clock.systemUTC());
    }

    /**
     * Reads of single servers are batched on PostgreSQL, where each statement is a round trip, with at
     * most this many statements at once. Measured on 2 cores (bench/RESULTS.md): 1 and 2 gave the most
     * reads per second and the shortest tail; 4 and 8 let more PostgreSQL backends compete for the CPU
     * with the requests they answer. Two statements of up to 64 ids each answer hundreds of thousands of
     * reads per second on any database.
     */
    static final int READS_IN_FLIGHT = 2;

    /**
     * {@code batchSizes} hears how many creates each create transaction held, {@code readBatchSizes} how
     * many reads of single servers each statement answered ({@link #READS_IN_FLIGHT}; H2 answers
     * in-process and reads each alone).
     */
    public ServerService servers(WorkSignal signal, IntConsumer batchSizes, IntConsumer readBatchSizes) {
        int readsInFlight = database.kind() == Database.Kind.POSTGRESQL ? READS_IN_FLIGHT : 0;
        return new ServerService(tx, clock, config.billingPeriod(), signal, batchSizes, readsInFlight, readBatchSizes);
    }

    public Billing billing(WorkSignal signal) {
        return new Billing(backgroundTx, clock, config.billingPeriod(), signal);
    }

    public Path dataDir() {
        return config.dataDir();
    }

    @Override
    public void close() {
        database.close();
        LOG.debug("Database closed");
    }
}
