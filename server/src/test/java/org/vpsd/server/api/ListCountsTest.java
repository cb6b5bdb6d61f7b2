package org.vpsd.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;
import static org.vpsd.server.testing.TestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * A list's {@code count} is the number of servers the filter matches, whatever happened to them and
 * however many changed at once (on PostgreSQL it comes from counters kept by triggers, not from
 * counting): checked against the servers actually listed, for every filter, once the work is done.
 */
class ListCountsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void countsMatchTheListedServersThroughCreatesStopsAndDeletes() throws Exception {
        Http api = server.customer(new java.math.BigDecimal("10000"));
        Http other = server.customer();
        long otherId = create(other, "other-1");

        List<Long> ids = parallel(24, i -> create(api, "count-" + i));
        ids.forEach(id -> awaitStatus(api, id, "active"));
        assertThat(statusCounts(api)).containsEntry("active", 24L);

        // Stops and deletes of many servers at once, while more are being created.
        List<Long> stopped = ids.subList(0, 8);
        List<Long> deleted = ids.subList(8, 14);
        List<Callable<Long>> work = new ArrayList<>();
        stopped.forEach(id -> work.add(() -> (long) api.post("/api/v1/servers/" + id + "/stop/").status()));
        deleted.forEach(id -> work.add(() -> (long) api.delete("/api/v1/servers/" + id + "/").status()));
        for (int i = 0; i < 6; i++) {
            int n = i;
            work.add(() -> create(api, "late-" + n));
        }
        List<Long> results = run(work);
        assertThat(results.subList(0, 8)).containsOnly(200L);
        assertThat(results.subList(8, 14)).containsOnly(204L);
        List<Long> late = results.subList(14, 20);

        stopped.forEach(id -> awaitStatus(api, id, "stopped"));
        late.forEach(id -> awaitStatus(api, id, "active"));
        deleted.forEach(id -> TestServer.await(api, id, s -> s == null, java.time.Duration.ofSeconds(30)));
        assertConsistent(api);
        assertThat(statusCounts(api)).containsEntry("stopped", 8L).containsEntry("active", 16L);
        assertThat(api.get("/api/v1/servers/").json().get("count").asLong()).isEqualTo(24);

        // The other account's figure is its own.
        awaitStatus(other, otherId, "active");
        assertThat(other.get("/api/v1/servers/").json().get("count").asLong()).isEqualTo(1);
        assertConsistent(other);
    }

    /**
     * The provider's list filtered by status alone (every account) holds exactly the servers of that status,
     * in id order across pages, whether the status is common or rare (they are read from different indexes).
     */
    @Test
    void providersListByStatusHoldsEveryAccountsServersOfThatStatusInIdOrder() {
        Http a = server.customer();
        Http b = server.customer();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(create(a, "by-status-a" + i));
            ids.add(create(b, "by-status-b" + i));
        }
        for (int i = 0; i < ids.size(); i++) {
            awaitStatus(i % 2 == 0 ? a : b, ids.get(i), "active");
        }
        List<Long> stopped = List.of(ids.get(1), ids.get(4), ids.get(9));
        for (long id : stopped) {
            Http owner = ids.indexOf(id) % 2 == 0 ? a : b;
            assertThat(owner.post("/api/v1/servers/" + id + "/stop/").status()).isEqualTo(200);
            awaitStatus(owner, id, "stopped");
        }
        Map<String, List<Long>> byStatus = new TreeMap<>();
        for (JsonNode s : adminList("")) {
            byStatus.computeIfAbsent(s.get("status").asText(), k -> new ArrayList<>()).add(s.get("id").asLong());
        }
        assertThat(byStatus.get("stopped")).containsAll(stopped);
        for (String status : List.of("active", "stopped", "error", "provisioning")) {
            List<Long> listed = adminList("&status=" + status).stream().map(s -> s.get("id").asLong()).toList();
            assertThat(listed).as("provider's list of %s servers", status).isEqualTo(byStatus.getOrDefault(status, List.of()));
        }
    }

    /** Every page of the provider's server list (3 to a page), in order. */
    private static List<JsonNode> adminList(String filter) {
        List<JsonNode> all = new ArrayList<>();
        for (int page = 1; ; page++) {
            JsonNode body = server.admin.get("/admin/v1/servers/?page_size=3&page=" + page + filter).json();
            body.get("results").forEach(all::add);
            assertThat(all).hasSizeLessThanOrEqualTo(body.get("count").asInt());
            if (body.get("next").isNull()) {
                assertThat(all).hasSize(body.get("count").asInt());
                return all;
            }
        }
    }

    /** For no filter, each status and each location: count equals the number of servers listed. */
    private static void assertConsistent(Http api) {
        for (String filter : List.of("", "&status=active", "&status=stopped", "&status=provisioning", "&status=stopping",
                "&location=us-west", "&location=us-east")) {
            // Called when no work is in flight: the count and the page are two reads.
            List<Long> listed = new ArrayList<>();
            JsonNode page = api.get("/api/v1/servers/?page_size=100" + filter).json();
            long count = page.get("count").asLong();
            page.get("results").forEach(s -> listed.add(s.get("id").asLong()));
            assertThat(page.get("next").isNull()).as("one page holds them all").isTrue();
            assertThat(listed).as("count for filter '%s'", filter).hasSize((int) count);
        }
    }

    private static Map<String, Long> statusCounts(Http api) {
        Map<String, Long> counts = new TreeMap<>();
        api.get("/api/v1/servers/?page_size=100").json().get("results")
                .forEach(s -> counts.merge(s.get("status").asText(), 1L, Long::sum));
        for (var e : counts.entrySet()) {
            assertThat(api.get("/api/v1/servers/?page_size=1&status=" + e.getKey()).json().get("count").asLong())
                    .as("count of %s", e.getKey()).isEqualTo(e.getValue());
        }
        return counts;
    }

    private static List<Long> parallel(int n, java.util.function.IntFunction<Long> task) throws Exception {
        List<Callable<Long>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            calls.add(() -> task.apply(k));
        }
        return run(calls);
    }

    private static List<Long> run(List<Callable<Long>> calls) throws Exception {
        List<Long> out = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
            for (Future<Long> f : pool.invokeAll(calls)) {
                out.add(f.get());
            }
        }
        return out;
    }
}
