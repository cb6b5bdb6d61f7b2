package org.vpsd.server.config;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.vpsd.server.engine.EngineConfig;

/**
 * Everything a vpsd process is configured with. The command line builds it (each option also has
 * an environment variable, see the CLI); tests build it directly.
 *
 * @param databaseUrl a JDBC URL, or null for the embedded H2 database in {@code dataDir}
 * @param production  refuse the embedded database (unless {@code allowEmbeddedDatabase}) and do
 *                    not seed a development catalog and account
 * @param timeScale   how many times faster than real the simulated hypervisor (and the engine's
 *                    guest-facing timeouts) run
 */
public record VpsdConfig(
        String host,
        int port,
        Path dataDir,
        String databaseUrl,
        boolean production,
        boolean allowEmbeddedDatabase,
        String driver,
        Map<String, String> driverOptions,
        double timeScale,
        Path catalogFile,
        Duration billingPeriod,
        EngineConfig engine,
        String publicUrl,
        String replicaId,
        int dbPoolSize) {

    public static final String DEFAULT_DATA_DIR = "vpsd-data";

    /** The zero-setup development configuration. */
    public static VpsdConfig dev(Path dataDir, int port) {
        return new VpsdConfig("127.0.0.1", port, dataDir, null, false, false, "simulated", Map.of(), 1.0, null,
                Duration.ofHours(1), EngineConfig.defaults(), null, newReplicaId(), 16);
    }

    public boolean embedded() {
        return databaseUrl == null || databaseUrl.startsWith("jdbc:h2:");
    }

    public String jdbcUrl() {
        return databaseUrl != null ? databaseUrl : org.vpsd.server.store.Database.h2Url(dataDir);
    }

    public VpsdConfig withPort(int newPort) {
        return new VpsdConfig(host, newPort, dataDir, databaseUrl, production, allowEmbeddedDatabase, driver, driverOptions, timeScale,
                catalogFile, billingPeriod, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withDatabase(String url) {
        return new VpsdConfig(host, port, dataDir, url, production, allowEmbeddedDatabase, driver, driverOptions, timeScale,
                catalogFile, billingPeriod, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withTimeScale(double scale) {
        return new VpsdConfig(host, port, dataDir, databaseUrl, production, allowEmbeddedDatabase, driver, driverOptions, scale,
                catalogFile, billingPeriod, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withBillingPeriod(Duration period) {
        return new VpsdConfig(host, port, dataDir, databaseUrl, production, allowEmbeddedDatabase, driver, driverOptions, timeScale,
                catalogFile, period, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withEngine(EngineConfig e) {
        return new VpsdConfig(host, port, dataDir, databaseUrl, production, allowEmbeddedDatabase, driver, driverOptions, timeScale,
                catalogFile, billingPeriod, e, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withDriver(String name, Map<String, String> options) {
        return new VpsdConfig(host, port, dataDir, databaseUrl, production, allowEmbeddedDatabase, name, options, timeScale,
                catalogFile, billingPeriod, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withCatalog(Path file) {
        return new VpsdConfig(host, port, dataDir, databaseUrl, production, allowEmbeddedDatabase, driver, driverOptions, timeScale,
                file, billingPeriod, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withProduction(boolean prod, boolean allowEmbedded) {
        return new VpsdConfig(host, port, dataDir, databaseUrl, prod, allowEmbedded, driver, driverOptions, timeScale, catalogFile,
                billingPeriod, engine, publicUrl, replicaId, dbPoolSize);
    }

    public VpsdConfig withHost(String newHost, String newPublicUrl) {
        return new VpsdConfig(newHost, port, dataDir, databaseUrl, production, allowEmbeddedDatabase, driver, driverOptions, timeScale,
                catalogFile, billingPeriod, engine, newPublicUrl, replicaId, dbPoolSize);
    }

    /** A name for this process that is unique among replicas: host, pid and a random part. */
    public static String newReplicaId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "host";
        }
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String id = host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + HexFormat.of().formatHex(random);
        return id.length() <= 48 ? id : id.substring(id.length() - 48);
    }
}
