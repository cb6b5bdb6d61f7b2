package org.vpsd.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import org.vpsd.server.App;
import org.vpsd.server.config.VpsdConfig;
import org.vpsd.server.engine.EngineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vpsd serve}: the API and the engine, until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the API and run the servers. With no options: development mode, embedded database, simulated driver.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Option(names = "--port", defaultValue = "${env:VPSD_PORT:-8080}", description = "HTTP port (default ${DEFAULT-VALUE}, env VPSD_PORT).")
    int port;

    @Option(names = "--host", defaultValue = "${env:VPSD_HOST}",
            description = "Address to listen on (env VPSD_HOST; default 127.0.0.1 in development mode, 0.0.0.0 in production).")
    String host;

    @Option(names = "--production", defaultValue = "${env:VPSD_PRODUCTION:-false}",
            description = "Production mode: no development seed data, and the embedded database is refused (env VPSD_PRODUCTION).")
    boolean production;

    @Option(names = "--allow-embedded-database", description = "Let production mode run on the embedded H2 database (one process only).")
    boolean allowEmbedded;

    @Option(names = "--driver", defaultValue = "${env:VPSD_DRIVER:-simulated}",
            description = "Hypervisor driver: simulated or libvirt (default ${DEFAULT-VALUE}, env VPSD_DRIVER).")
    String driver;

    @Option(names = "--driver-option", paramLabel = "KEY=VALUE", description = "An option for the driver (repeatable).")
    Map<String, String> driverOptions = new LinkedHashMap<>();

    @Option(names = "--sim-time-scale", paramLabel = "N", defaultValue = "${env:VPSD_SIM_TIME_SCALE:-1}",
            description = "Run the simulated hypervisor N times faster than real time (default ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(names = "--catalog", paramLabel = "FILE", defaultValue = "${env:VPSD_CATALOG}",
            description = "Apply this catalog file (plans, OS images, locations) at start-up (env VPSD_CATALOG).")
    Path catalog;

    @Option(names = "--billing-period", paramLabel = "DURATION", defaultValue = "${env:VPSD_BILLING_PERIOD:-PT1H}",
            description = "Length of a billing period, ISO-8601 (default ${DEFAULT-VALUE}; shorter only for testing).")
    Duration billingPeriod;

    @Option(names = "--public-url", paramLabel = "URL", defaultValue = "${env:VPSD_PUBLIC_URL}",
            description = "Scheme and host clients reach vpsd at, for pagination links (default: taken from each request).")
    String publicUrl;

    @Option(names = "--lease", paramLabel = "DURATION", defaultValue = "${env:VPSD_LEASE:-PT30S}",
            description = "How long a replica's claim on work holds without its heartbeat (default ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(names = "--usage-interval", paramLabel = "DURATION", defaultValue = "${env:VPSD_USAGE_INTERVAL:-PT60S}",
            description = "How often resource usage is collected (default ${DEFAULT-VALUE}).")
    Duration usageInterval;

    @Option(names = "--reconcile-interval", paramLabel = "DURATION", defaultValue = "${env:VPSD_RECONCILE_INTERVAL:-PT30S}",
            description = "How often servers are compared with the hosts' machines (default ${DEFAULT-VALUE}).")
    Duration reconcileInterval;

    @Option(names = "--db-pool", paramLabel = "N", defaultValue = "${env:VPSD_DB_POOL:-16}",
            description = "Database connections for requests (default ${DEFAULT-VALUE}); background work "
                    + "(the engine, billing, usage) has a pool of its own, a quarter of this, at least 2.")
    int dbPool;

    @Override
    public Integer call() throws Exception {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("--sim-time-scale must be positive");
        }
        if (billingPeriod.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--billing-period must be at least one second");
        }
        String listen = host != null && !host.isBlank() ? host : production ? "0.0.0.0" : "127.0.0.1";
        Duration heartbeat = lease.dividedBy(3);
        EngineConfig engine = EngineConfig.defaults().withLease(lease, heartbeat)
                .withIntervals(usageInterval, reconcileInterval, EngineConfig.defaults().billingInterval());
        VpsdConfig cfg = new VpsdConfig(listen, port, db.data, blankToNull(db.database), production, allowEmbedded, driver,
                Map.copyOf(driverOptions), timeScale, catalog, billingPeriod, engine, blankToNull(publicUrl),
                VpsdConfig.newReplicaId(), dbPool);
        App app = App.start(cfg, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable close = () -> {
            if (closing.compareAndSet(false, true)) {
                try {
                    app.close();
                } finally {
                    stopped.countDown();
                }
            }
        };
        // SIGTERM and Ctrl-C close vpsd before the JVM's shutdown begins: the embedded database's own
        // shutdown hook would otherwise close it while requests and engine steps are still finishing.
        for (String signal : java.util.List.of("TERM", "INT")) {
            int code = signal.equals("TERM") ? 143 : 130;
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                    try {
                        close.run();
                    } finally {
                        System.exit(code);
                    }
                });
            } catch (IllegalArgumentException e) {
                // the signal is not available here; the shutdown hook below still closes vpsd
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(close, "vpsd-shutdown"));
        stopped.await();
        return 0;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
