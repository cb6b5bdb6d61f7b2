package org.vpsd.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code vpsd} process started from the packaged jar ({@code cli/target/vpsd.jar}), as a
 * provider starts it: for tests that kill it, restart it, or run clients against it from outside.
 */
public final class VpsdProcess implements AutoCloseable {
    private static final Pattern DEMO = Pattern.compile("demo account token \\(credit [^)]*\\): (vpsd_\\S+)");
    private static final Pattern ADMIN = Pattern.compile("admin token:\\s+(vpsdadm_\\S+)");

    public final int port;
    public final Path dataDir;
    public final Path stdout;
    public final Path stderr;
    private final Process process;

    private VpsdProcess(Process process, int port, Path dataDir, Path stdout, Path stderr) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The java executable running the tests (a JDK 21+). */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static Path jar() {
        return Path.of(System.getProperty("vpsd.jar", "target/vpsd.jar")).toAbsolutePath();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database options for the configured test database (none for H2: the data directory holds it). */
    public static List<String> databaseArgs(String jdbcUrl) {
        return jdbcUrl == null ? List.of() : List.of("--database", jdbcUrl);
    }

    /** Runs {@code vpsd serve --data DIR --port P} plus {@code extra}, and waits until it answers. */
    public static VpsdProcess serve(Path dataDir, List<String> extra) {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString(), "serve",
                "--data", dataDir.toString(), "--port", Integer.toString(port)));
        cmd.addAll(extra);
        try {
            Files.createDirectories(dataDir);
            Path out = Files.createTempFile(dataDir.getParent(), "vpsd-out-", ".log");
            Path err = Files.createTempFile(dataDir.getParent(), "vpsd-err-", ".log");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            VpsdProcess v = new VpsdProcess(p, port, dataDir, out, err);
            v.awaitReady(Duration.ofSeconds(60));
            return v;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    private void awaitReady(Duration timeout) {
        HttpClient client = HttpClient.newHttpClient();
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("vpsd exited with " + process.exitValue() + ":\n" + read(stderr));
            }
            try {
                var r = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet listening
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException("vpsd did not answer within " + timeout + ":\n" + read(stderr));
    }

    /** The demo account's token, printed once by a fresh development instance. */
    public String demoToken() {
        return match(DEMO);
    }

    public String adminToken() {
        return match(ADMIN);
    }

    private String match(Pattern p) {
        Matcher m = p.matcher(read(stdout));
        if (!m.find()) {
            throw new IllegalStateException("No token in vpsd's output:\n" + read(stdout));
        }
        return m.group(1);
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** SIGKILL: the process gets no chance to clean up. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: a graceful shutdown. */
    public void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Runs a {@code vpsd} subcommand to completion; returns its exit code and output. */
    public static Result run(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
        cmd.addAll(args);
        try {
            Path out = Files.createTempFile("vpsd-cmd-out-", ".log");
            Path err = Files.createTempFile("vpsd-cmd-err-", ".log");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("vpsd " + args + " did not finish");
            }
            Result r = new Result(p.exitValue(), read(out), read(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A finished command. */
    public record Result(int exit, String stdout, String stderr) {
        public String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1].strip();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
