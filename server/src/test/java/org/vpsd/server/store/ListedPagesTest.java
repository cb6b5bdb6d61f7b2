package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;
import static org.vpsd.server.testing.TestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * A customer's page on PostgreSQL is answered from memory only when its statement, in the request's
 * snapshot, shows nothing it lists has changed (ListedPages): every kind of change shows in the very
 * next page, and an unchanged page is not read again. Each page is checked against the servers'
 * details, read one by one. On H2, which keeps no pages, the same pages must come out.
 */
class ListedPagesTest {
    @Test
    void anUnchangedPageIsAnsweredWithoutReadingItAgain() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long a = create(api, "kept-a");
            long b = create(api, "kept-b");
            awaitStatus(api, a, "active");
            awaitStatus(api, b, "active");
            String first = api.get("/api/v1/servers/?page_size=1&page=2").body();
            Counts before = Counts.of(server);
            String second = api.get("/api/v1/servers/?page_size=1&page=2").body();
            assertThat(second).isEqualTo(first);
            assertThat(Counts.of(server).minus(before)).isEqualTo(pages(server) == null ? Counts.NONE : new Counts(1, 0));
            assertThat(ids(api.get("/api/v1/servers/?page_size=1&page=2").json())).containsExactly(b);
            Counts now = Counts.of(server);
            String metrics = server.admin.get("/metrics").body();
            assertThat(metrics).contains("vpsd_server_list_pages_total{source=\"memory\"} " + now.reused() + ".0")
                    .contains("vpsd_server_list_pages_total{source=\"database\"} " + now.read() + ".0");
        }
    }

    @Test
    void everyChangeAPageShowsIsInTheNextPage() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            Http other = server.customer();
            long a = create(api, "page-a");
            long b = create(api, "page-b");
            awaitStatus(api, a, "active");
            awaitStatus(api, b, "active");
            assertPageIsFresh(server, api, "/api/v1/servers/", true);
            assertPageIsFresh(server, api, "/api/v1/servers/?status=active", true);

            // Another account's servers are not on this account's pages.
            long elsewhere = create(other, "elsewhere");
            awaitStatus(other, elsewhere, "active");
            assertPageIsFresh(server, api, "/api/v1/servers/", false);

            assertThat(api.patch("/api/v1/servers/" + a + "/", "{\"name\": \"page-a-renamed\"}").status()).isEqualTo(200);
            assertThat(names(assertPageIsFresh(server, api, "/api/v1/servers/", true))).containsExactly("page-a-renamed", "page-b");

            sql(server, "UPDATE servers SET hostname = 'by-hand.example.com' WHERE id = " + b);
            assertThat(assertPageIsFresh(server, api, "/api/v1/servers/", true).get("results").get(1).get("hostname").asText())
                    .isEqualTo("by-hand.example.com");

            assertThat(api.post("/api/v1/servers/" + a + "/stop/").status()).isEqualTo(200);
            awaitStatus(api, a, "stopped");
            assertThat(ids(assertPageIsFresh(server, api, "/api/v1/servers/?status=active", true))).containsExactly(b);
            assertThat(ids(assertPageIsFresh(server, api, "/api/v1/servers/?status=stopped", true))).containsExactly(a);

            sql(server, "UPDATE plans SET name = 'Renamed by hand' WHERE id = 1");
            assertThat(assertPageIsFresh(server, api, "/api/v1/servers/", true).get("results").get(0).get("plan").get("name").asText())
                    .isEqualTo("Renamed by hand");

            long c = create(api, "page-c");
            assertThat(ids(assertPageIsFresh(server, api, "/api/v1/servers/", true))).containsExactly(a, b, c);
            awaitStatus(api, c, "active");

            assertThat(api.delete("/api/v1/servers/" + b + "/").status()).isIn(200, 202, 204);
            TestServer.await(api, b, s -> s == null, java.time.Duration.ofSeconds(30));
            JsonNode page = assertPageIsFresh(server, api, "/api/v1/servers/", true);
            assertThat(ids(page)).containsExactly(a, c);
            assertThat(page.get("count").asInt()).isEqualTo(2);
        }
    }

    /**
     * Reads {@code path} twice and checks that each server on the page is as its detail says and that
     * the count is the account's; on PostgreSQL, that the first read went to the database when
     * {@code changed} and came from memory when not, and that the second came from memory.
     */
    private static JsonNode assertPageIsFresh(TestServer server, Http api, String path, boolean changed) {
        Counts before = Counts.of(server);
        JsonNode page = api.get(path).json();
        Counts after = Counts.of(server);
        JsonNode again = api.get(path).json();
        if (pages(server) != null) {
            assertThat(after.minus(before)).as("%s after a change: %s", path, changed).isEqualTo(changed ? new Counts(0, 1) : new Counts(1, 0));
            assertThat(Counts.of(server).minus(after)).isEqualTo(new Counts(1, 0));
        }
        assertThat(again).isEqualTo(page);
        for (JsonNode listed : page.get("results")) {
            JsonNode detail = api.get("/api/v1/servers/" + listed.get("id").asLong() + "/").json();
            for (String field : List.of("name", "hostname", "status", "ip_address", "location", "created_at", "updated_at")) {
                assertThat(listed.get(field)).as(field).isEqualTo(detail.get(field));
            }
            assertThat(listed.get("plan").get("name")).isEqualTo(detail.get("plan").get("name"));
        }
        return page;
    }

    private record Counts(long reused, long read) {
        static final Counts NONE = new Counts(0, 0);

        static Counts of(TestServer server) {
            ListedPages pages = pages(server);
            return pages == null ? NONE : new Counts(pages.reused(), pages.read());
        }

        Counts minus(Counts o) {
            return new Counts(reused - o.reused, read - o.read);
        }
    }

    private static ListedPages pages(TestServer server) {
        return server.app.backend.database.listedPages();
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("results").forEach(s -> ids.add(s.get("id").asLong()));
        return ids;
    }

    private static List<String> names(JsonNode page) {
        List<String> names = new ArrayList<>();
        page.get("results").forEach(s -> names.add(s.get("name").asText()));
        return names;
    }

    private static void sql(TestServer server, String statement) {
        server.app.backend.database.jdbi().useHandle(h -> h.execute(statement));
    }
}
