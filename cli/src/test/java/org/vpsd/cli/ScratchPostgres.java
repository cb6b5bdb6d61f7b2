package org.vpsd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, its own port), so
 * that a test can stop and restart it without disturbing anything else. Uses Debian's server
 * binaries and runs them as the {@code postgres} user (the test runs as root, as CI does).
 */
final class ScratchPostgres implements AutoCloseable {
    private final Path bin;
    private final Path data;
    private final Path log;
    final int port;

    private ScratchPostgres(Path bin, Path data, int port) {
        this.bin = bin;
        this.data = data;
        this.log = data.resolveSibling("postgres.log");
        this.port = port;
    }

    /** Whether this machine can run one: server binaries present and root to switch to postgres. */
    static boolean available() {
        return binDir() != null && "root".equals(System.getProperty("user.name"));
    }

    private static Path binDir() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString)).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    static ScratchPostgres start(Path dir) {
        Path bin = binDir();
        try {
            Files.createDirectories(dir);
            run("chown", "-R", "postgres:postgres", dir.toString());
            run("chmod", "755", dir.getParent().toString());
            ScratchPostgres pg = new ScratchPostgres(bin, dir.resolve("data"), VpsdProcess.freePort());
            pg.asPostgres(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U", "postgres", "--no-sync");
            pg.start();
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    void start() {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w", "-o",
                "-p " + port + " -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on", "start");
    }

    /** Fast shutdown: open connections are cut, as when the server is restarted under load. */
    void stop() {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-m", "fast", "stop");
    }

    private void asPostgres(String... command) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(List.of(command));
        run(cmd.toArray(String[]::new));
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            // already stopped
        }
    }
}
