package org.vpsd.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.vpsd.server.App;
import org.vpsd.server.config.VpsdConfig;
import org.vpsd.server.engine.EngineConfig;

/**
 * A real vpsd for a test: {@link App} started as {@code vpsd serve} starts it, on a free port, with
 * a database of its own (H2 or PostgreSQL, see {@link TestDatabase}), the documentation's catalog,
 * and the simulated hypervisor 1000 times faster than real time unless told otherwise.
 */
public final class TestServer implements AutoCloseable {
    private static final AtomicInteger ACCOUNTS = new AtomicInteger();

    public final App app;
    public final Path dataDir;
    public final Http admin;
    private final TestDatabase db;
    private final VpsdConfig config;

    private TestServer(VpsdConfig config, TestDatabase db, Path dataDir) {
        this.config = config;
        this.db = db;
        this.dataDir = dataDir;
        this.app = App.start(config, new PrintStream(new ByteArrayOutputStream()));
        this.admin = new Http(app.baseUrl(), app.backend.accounts.issueToken(null, "test-admin").token());
    }

    public static TestServer start() {
        return start(c -> c);
    }

    /** Starts with the default test configuration changed by {@code tweak}. */
    public static TestServer start(UnaryOperator<VpsdConfig> tweak) {
        try {
            Path dir = Files.createTempDirectory("vpsd-test");
            TestDatabase db = TestDatabase.create(dir);
            EngineConfig engine = EngineConfig.defaults().withLease(Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .withIntervals(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofMillis(200));
            VpsdConfig cfg = VpsdConfig.dev(dir, 0).withDatabase(db.url()).withTimeScale(1000).withEngine(engine);
            return new TestServer(tweak.apply(cfg), db, dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same database and data directory, a new process-like App (a restart). */
    public TestServer restart(UnaryOperator<VpsdConfig> tweak) {
        app.close();
        return new TestServer(tweak.apply(config.withPort(0)), db, dataDir);
    }

    public String baseUrl() {
        return app.baseUrl();
    }

    /** A new customer account with {@code credit}; returns a client with its token. */
    public Http customer(BigDecimal credit) {
        var created = app.backend.accounts.createAccount("customer-" + ACCOUNTS.incrementAndGet() + "-" + System.nanoTime(), credit);
        return new Http(baseUrl(), created.token());
    }

    public Http customer() {
        return customer(new BigDecimal("1000"));
    }

    /** Creates a server and returns its id. */
    public static long create(Http api, String name) {
        var r = api.post("/api/v1/servers/",
                "{\"name\":\"" + name + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"us-west\"}");
        if (r.status() != 201) {
            throw new AssertionError("create failed: " + r);
        }
        return r.json().get("id").asLong();
    }

    /** Waits until the server's detail satisfies {@code until}; returns that detail. */
    public static JsonNode await(Http api, long id, Predicate<JsonNode> until, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        JsonNode last = null;
        while (Instant.now().isBefore(end)) {
            var r = api.get("/api/v1/servers/" + id + "/");
            last = r.status() == 200 ? r.json() : null;
            if (r.status() == 200 && until.test(last)) {
                return last;
            }
            if (r.status() == 404 && until.test(null)) {
                return null;
            }
            sleep(20);
        }
        throw new AssertionError("Server " + id + " did not get there within " + timeout + "; last seen: " + last);
    }

    /** Waits for a status. */
    public static JsonNode awaitStatus(Http api, long id, String status) {
        return await(api, id, s -> s != null && status.equals(s.get("status").asText()), Duration.ofSeconds(30));
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        try {
            app.close();
        } finally {
            db.drop();
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
