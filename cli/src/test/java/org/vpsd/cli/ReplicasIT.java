package org.vpsd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;

/**
 * Several vpsd processes on one PostgreSQL database: any replica answers any request, work is done
 * once, a replica killed with SIGKILL has its work taken over, and money and addresses stay right
 * under contention spread over the replicas. (PostgreSQL only: the embedded database is one
 * process's; run with -Dvpsd.test.database=jdbc:postgresql://..., as ./run-tests does.)
 */
class ReplicasIT {
    @TempDir
    Path tmp;

    private TestDatabase db;
    private final List<VpsdProcess> replicas = new ArrayList<>();

    @BeforeEach
    void requirePostgres() {
        Assumptions.assumeTrue(TestDatabase.postgres(), "replicas share a PostgreSQL database; this pass runs on H2");
        db = TestDatabase.create(tmp);
    }

    @AfterEach
    void stopAll() {
        replicas.forEach(VpsdProcess::kill);
        if (db != null) {
            db.drop();
        }
    }

    private VpsdProcess replica(int n) {
        return replica(n, "PT1S");
    }

    private VpsdProcess replica(int n, String billingPeriod) {
        List<String> args = new ArrayList<>(List.of("--sim-time-scale", "50", "--billing-period", billingPeriod, "--lease", "PT3S",
                "--reconcile-interval", "PT2S"));
        args.addAll(VpsdProcess.databaseArgs(db.url()));
        VpsdProcess p = VpsdProcess.serve(tmp.resolve("replica-" + n), args);
        replicas.add(p);
        return p;
    }

    /** Sends each request to a live replica, starting from {@code preferred}, moving on when one is dead. */
    private static final class Cluster {
        private final List<VpsdProcess> members;
        private final String token;

        Cluster(List<VpsdProcess> members, String token) {
            this.members = members;
            this.token = token;
        }

        Http.Response send(int preferred, String method, String path, String body) {
            for (int i = 0; i < members.size(); i++) {
                VpsdProcess p = members.get(Math.floorMod(preferred + i, members.size()));
                if (!p.alive()) {
                    continue;
                }
                try {
                    return new Http(p.baseUrl(), token).send(method, path, body, "application/json");
                } catch (AssertionError connectionFailed) {
                    // that replica just died: try the next
                }
            }
            throw new AssertionError("no replica answered " + method + " " + path);
        }

        JsonNode awaitStatus(int preferred, long id, String status, Duration timeout) {
            Instant end = Instant.now().plus(timeout);
            JsonNode last = null;
            while (Instant.now().isBefore(end)) {
                var r = send(preferred++, "GET", "/api/v1/servers/" + id + "/", null);
                last = r.status() == 200 ? r.json() : null;
                if (status == null ? r.status() == 404 : last != null && last.get("status").asText().equals(status)) {
                    return last;
                }
                VpsdProcess.sleep(100);
            }
            throw new AssertionError("server " + id + " did not reach " + status + "; last: " + last);
        }
    }

    @Test
    void lifecycleSpreadOverThreeReplicasSurvivesOneKilled() throws Exception {
        VpsdProcess first = replica(1);
        String adminToken = first.adminToken();
        replica(2);
        replica(3);
        Http admin = new Http(first.baseUrl(), adminToken);
        JsonNode account = admin.post("/admin/v1/accounts/", "{\"name\": \"fleet\", \"credit\": 1000}").json();
        long accountId = account.get("id").asLong();
        Cluster cluster = new Cluster(replicas, account.get("token").asText());

        int servers = 36;
        AtomicInteger operations = new AtomicInteger();
        Map<Long, String> expected = new ConcurrentHashMap<>();
        List<Callable<Long>> lives = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            int n = i;
            lives.add(() -> {
                var created = cluster.send(n, "POST", "/api/v1/servers/", "{\"name\": \"r-" + n + "\", \"plan_id\": 1, \"os_id\": 5, "
                        + "\"location\": \"" + (n % 2 == 0 ? "us-west" : "us-east") + "\"}");
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                operations.incrementAndGet();
                long id = created.json().get("id").asLong();
                cluster.awaitStatus(n + 1, id, "active", Duration.ofSeconds(90));
                step(cluster, n + 2, id, "stop", "stopped", operations);
                assertThat(cluster.send(n, "PATCH", "/api/v1/servers/" + id + "/", "{\"name\": \"renamed-" + n + "\"}").status())
                        .isEqualTo(200);
                operations.incrementAndGet();
                step(cluster, n + 1, id, "start", "active", operations);
                step(cluster, n + 2, id, "reboot", "active", operations);
                if (n % 4 == 0) {
                    assertThat(cluster.send(n, "DELETE", "/api/v1/servers/" + id + "/", null).status()).isEqualTo(204);
                    operations.incrementAndGet();
                    cluster.awaitStatus(n + 1, id, null, Duration.ofSeconds(90));
                    expected.put(id, "deleted");
                } else {
                    step(cluster, n, id, "stop", "stopped", operations);
                    expected.put(id, n % 2 == 0 ? "stopped" : "active");
                    if (n % 2 != 0) {
                        step(cluster, n + 1, id, "start", "active", operations);
                    }
                }
                return id;
            });
        }
        List<Long> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> futures = new ArrayList<>();
            for (Callable<Long> life : lives) {
                futures.add(pool.submit(life));
            }
            VpsdProcess.sleep(4_000);
            replicas.get(1).kill();
            for (Future<Long> f : futures) {
                ids.add(f.get());
            }
        }
        assertThat(operations.get()).isGreaterThanOrEqualTo(200);

        // Every server where it should be, as seen from every surviving replica.
        for (long id : ids) {
            String want = expected.get(id);
            for (VpsdProcess p : List.of(replicas.get(0), replicas.get(2))) {
                var r = new Http(p.baseUrl(), cluster.token).get("/api/v1/servers/" + id + "/");
                if (want.equals("deleted")) {
                    assertThat(r.status()).isEqualTo(404);
                } else {
                    assertThat(r.json().get("status").asText()).as("server " + id).isEqualTo(want);
                }
            }
        }

        // Addresses unique; no machine left over.
        Set<String> v4 = new HashSet<>();
        for (long id : ids) {
            if (!expected.get(id).equals("deleted")) {
                String ip = cluster.send(0, "GET", "/api/v1/servers/" + id + "/", null).json().get("ip_address").asText();
                assertThat(v4.add(ip)).as(ip).isTrue();
            }
        }
        Http survivor = new Http(replicas.get(2).baseUrl(), adminToken);
        VpsdProcess.sleep(4_500);
        assertThat(survivor.get("/admin/v1/unknown-machines/").json().get("count").asInt()).isZero();

        // Each hour of each server charged once, however many replicas billed.
        assertLedgerExact(survivor, accountId, ids);
    }

    private static void step(Cluster cluster, int preferred, long id, String action, String until, AtomicInteger ops) {
        for (int attempt = 0; ; attempt++) {
            var r = cluster.send(preferred + attempt, "POST", "/api/v1/servers/" + id + "/" + action + "/", null);
            ops.incrementAndGet();
            if (r.status() == 200) {
                break;
            }
            // a replica killed mid-request may have recorded the action before dying: then it is under way
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            JsonNode now = cluster.send(preferred, "GET", "/api/v1/servers/" + id + "/", null).json();
            if (now.get("status").asText().equals(until) || attempt > 20) {
                break;
            }
            VpsdProcess.sleep(200);
        }
        cluster.awaitStatus(preferred + 1, id, until, Duration.ofSeconds(90));
    }

    static void assertLedgerExact(Http admin, long accountId, List<Long> ids) {
        JsonNode ledger;
        BigDecimal balance;
        while (true) {
            ledger = admin.get("/admin/v1/accounts/" + accountId + "/ledger/?limit=1000").json().get("results");
            balance = admin.get("/admin/v1/accounts/" + accountId + "/").json().get("balance").decimalValue();
            if (admin.get("/admin/v1/accounts/" + accountId + "/ledger/?limit=1000").json().get("results").size() == ledger.size()) {
                break;
            }
        }
        Map<Long, Set<Integer>> periods = new HashMap<>();
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode e : ledger) {
            sum = sum.add(e.get("amount").decimalValue());
            if (e.get("kind").asText().equals("charge")) {
                assertThat(periods.computeIfAbsent(e.get("server_id").asLong(), k -> new HashSet<>()).add(e.get("period").asInt()))
                        .as("charged twice: " + e).isTrue();
            }
        }
        assertThat(periods.keySet()).containsExactlyInAnyOrderElementsOf(ids);
        periods.forEach((server, hours) -> {
            for (int p = 0; p < hours.size(); p++) {
                assertThat(hours).as("hours of server " + server).contains(p);
            }
        });
        assertThat(balance).isEqualByComparingTo(sum);
    }

    @Test
    void creditForExactlyNServersAdmitsExactlyNAcrossReplicas() throws Exception {
        // Hour-long billing periods: no second hour is charged while the creates run.
        VpsdProcess first = replica(1, "PT1H");
        String adminToken = first.adminToken();
        replica(2, "PT1H");
        replica(3, "PT1H");
        Http admin = new Http(first.baseUrl(), adminToken);
        int n = 37;
        String credit = new BigDecimal("0.03").multiply(BigDecimal.valueOf(n)).toPlainString();
        JsonNode account = admin.post("/admin/v1/accounts/", "{\"name\": \"tight\", \"credit\": " + credit + "}").json();
        Cluster cluster = new Cluster(replicas, account.get("token").asText());
        List<Callable<Http.Response>> creates = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int k = i;
            creates.add(() -> cluster.send(k, "POST", "/api/v1/servers/", "{\"name\": \"c-" + k + "\", \"plan_id\": 1, \"os_id\": 5, "
                    + "\"location\": \"us-west\"}"));
        }
        List<Integer> codes = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(64)) {
            for (Future<Http.Response> f : pool.invokeAll(creates)) {
                Http.Response r = f.get();
                assertThat(r.status()).as(r.toString()).isIn(201, 402);
                codes.add(r.status());
            }
        }
        assertThat(codes.stream().filter(c -> c == 201)).hasSize(n);
        assertThat(codes.stream().filter(c -> c == 402)).hasSize(200 - n);
        JsonNode acc = admin.get("/admin/v1/accounts/" + account.get("id").asLong() + "/").json();
        assertThat(acc.get("balance").decimalValue()).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertThat(cluster.send(0, "GET", "/api/v1/servers/?page_size=500", null).json().get("count").asInt()).isEqualTo(n);
    }
}
