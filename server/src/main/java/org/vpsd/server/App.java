package org.vpsd.server;

import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.api.HttpApi;
import org.vpsd.server.config.VpsdConfig;
import org.vpsd.server.domain.Billing;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.driver.DriverContext;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.HypervisorProvider;
import org.vpsd.server.driver.SimulatedHypervisor;
import org.vpsd.server.engine.Engine;
import org.vpsd.server.engine.EngineConfig;
import org.vpsd.server.engine.Machines;
import org.vpsd.server.engine.PeriodicJobs;
import org.vpsd.server.engine.Reconciler;
import org.vpsd.server.engine.UsageCollector;

/**
 * One vpsd process, wired by hand: database, domain services, hypervisor driver, engine, periodic
 * jobs (billing, usage, reconciliation) and the HTTP API. Tests start it the same way
 * {@code vpsd serve} does.
 */
public final class App implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(App.class);

    public final Backend backend;
    public final Hypervisor hypervisor;
    public final Engine engine;
    public final ServerService servers;
    public final Billing billing;
    public final UsageCollector usage;
    public final Reconciler reconciler;
    public final Machines machines;
    public final PeriodicJobs jobs;
    private final Javalin http;
    private final PrometheusMeterRegistry metrics;

    private App(Backend backend, PrintStream out) {
        long started = System.nanoTime();
        this.backend = backend;
        VpsdConfig cfg = backend.config;
        this.metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        this.hypervisor = loadDriver(cfg, backend, metrics);
        EngineConfig engineCfg = hypervisor instanceof SimulatedHypervisor ? cfg.engine().scaled(cfg.timeScale()) : cfg.engine();
        this.machines = new Machines(engineCfg.vmPrefix(), hypervisor);
        this.usage = new UsageCollector(backend.backgroundTx, hypervisor, machines, backend.clock);
        this.reconciler = new Reconciler(backend.backgroundTx, hypervisor, machines, backend.clock);
        this.engine = new Engine(backend.backgroundTx, hypervisor, machines, engineCfg, backend.clock, cfg.replicaId(), metrics, usage);
        var createBatches = io.micrometer.core.instrument.DistributionSummary.builder("vpsd.server.create.batch")
                .description("Creates of one account written in one database transaction").register(metrics);
        var readBatches = io.micrometer.core.instrument.DistributionSummary.builder("vpsd.server.read.batch")
                .description("Reads of single servers answered by one database statement").register(metrics);
        this.servers = backend.servers(engine, createBatches::record, readBatches::record);
        this.billing = backend.billing(engine);
        this.jobs = new PeriodicJobs(backend.backgroundTx, backend.clock, cfg.replicaId());

        if (cfg.catalogFile() != null) {
            try {
                var applied = backend.catalog.apply(org.vpsd.server.config.CatalogFile.read(cfg.catalogFile()));
                LOG.info("Catalog {} applied: {}", cfg.catalogFile(), applied);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot read the catalog " + cfg.catalogFile() + ": " + e.getMessage(), e);
            }
        }
        if (!cfg.production()) {
            DevSeed.seedIfFresh(backend, out);
        }

        var executor = Executors.newVirtualThreadPerTaskExecutor();
        hypervisor.onChange(name -> machines.serverId(name).ifPresent(id -> executor.execute(() -> {
            engine.nudge(id);
            reconciler.checkOne(id);
        })));
        Duration billingEvery = engineCfg.billingInterval();
        Duration period = cfg.billingPeriod();
        Duration sweep = period.dividedBy(20).compareTo(billingEvery) < 0 ? period.dividedBy(20) : billingEvery;
        sweep = sweep.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : sweep;
        var services = new HttpApi.Services(servers, backend.accounts, backend.catalog, backend.sshKeys, reconciler, machines,
                hypervisor instanceof SimulatedHypervisor sim ? sim : null, metrics, this::databaseReachable, this::status,
                cfg.publicUrl());
        this.http = HttpApi.create(services, cfg.host(), cfg.port());
        http.start();
        // Serving first, then the background work: a backlog of queued operations (after a restart) no
        // longer delays the first answer by competing with start-up for the CPU.
        engine.start();
        jobs.schedule("billing", sweep, engineCfg.lease(), this::chargeAll);
        jobs.schedule("usage", engineCfg.usageInterval(), engineCfg.lease().plus(engineCfg.usageInterval()), usage::collectAll);
        jobs.schedule("reconcile", engineCfg.reconcileInterval(), engineCfg.lease().plus(engineCfg.reconcileInterval()),
                reconciler::reconcile);
        double seconds = (System.nanoTime() - started) / 1e9;
        banner(cfg, seconds);
    }

    /** Starts a vpsd process: opens the database, serves HTTP, then starts the engine and the periodic jobs. */
    public static App start(VpsdConfig config, PrintStream out) {
        Backend backend = Backend.open(config);
        try {
            return new App(backend, out);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    private int chargeAll() {
        int total = 0;
        int n;
        do {
            n = billing.chargeDue(500);
            total += n;
        } while (n > 0 && !Thread.currentThread().isInterrupted());
        return total;
    }

    private static Hypervisor loadDriver(VpsdConfig cfg, Backend backend, PrometheusMeterRegistry metrics) {
        var context = new DriverContext(backend.database, cfg.dataDir(), backend.clock, metrics, cfg.timeScale(), cfg.driverOptions());
        for (HypervisorProvider p : ServiceLoader.load(HypervisorProvider.class)) {
            if (p.name().equals(cfg.driver())) {
                return p.create(context);
            }
        }
        throw new IllegalArgumentException("Unknown driver \"" + cfg.driver() + "\"; drivers on the class path: "
                + ServiceLoader.load(HypervisorProvider.class).stream().map(pr -> pr.get().name()).toList());
    }

    /** Ready when the database answers a query. */
    private boolean databaseReachable() {
        try {
            backend.tx.read(r -> r.settings().get(DevSeed.MARKER));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        VpsdConfig cfg = backend.config;
        m.put("replica", cfg.replicaId());
        m.put("mode", cfg.production() ? "production" : "development");
        m.put("database", backend.database.kind().label());
        m.put("driver", hypervisor.name());
        m.put("time_scale", cfg.timeScale());
        m.put("billing_period_seconds", cfg.billingPeriod().toSeconds());
        m.put("engine_in_flight", engine.inFlight());
        m.put("pending_operations", backend.tx.read(r -> r.tasks().countPending()));
        return m;
    }

    private void banner(VpsdConfig cfg, double seconds) {
        LOG.info("vpsd started in {} s on http://{}:{} (replica {})", String.format("%.2f", seconds), cfg.host(), port(),
                cfg.replicaId());
        LOG.info("Database: {}", backend.database.describe());
        LOG.info("Driver: {}{}", hypervisor.name(),
                hypervisor instanceof SimulatedHypervisor ? " (time scale " + cfg.timeScale() + "x)" : "");
        if (!cfg.billingPeriod().equals(Duration.ofHours(1))) {
            LOG.warn("Billing period is {} instead of one hour: prices are charged per period of that length.", cfg.billingPeriod());
        }
        if (!cfg.production()) {
            LOG.warn("DEVELOPMENT MODE: {} and {} driver. Do not run customers on this; use --production with PostgreSQL.",
                    cfg.embedded() ? "embedded H2 database" : "development seed data", hypervisor.name());
        } else if (cfg.embedded()) {
            LOG.warn("PRODUCTION MODE ON THE EMBEDDED H2 DATABASE (--allow-embedded-database): one process only, no replicas.");
        }
    }

    public int port() {
        return http.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * Stops serving (requests in flight get a few seconds to finish), lets the engine finish its
     * steps, closes the driver and the database. Every part is closed even when an earlier one fails:
     * a request that outlives the HTTP server's grace period must not keep the database open.
     */
    @Override
    public void close() {
        closeQuietly("HTTP server", http::stop);
        closeQuietly("periodic jobs", jobs::close);
        closeQuietly("engine", engine::close);
        closeQuietly("driver", hypervisor::close);
        closeQuietly("database", backend::close);
    }

    private static void closeQuietly(String what, Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the {} did not finish cleanly: {}", what, String.valueOf(e.getMessage()));
        }
    }

}
