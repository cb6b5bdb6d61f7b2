package org.vpsd.server.api;

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
 * Every kind of change to what a customer's list shows is in the very next page (list reads are
 * shared by requests that arrive together, domain/SharedReads, and never older than the request):
 * each page is checked against the servers' details, read one by one, and read twice.
 */
class ListFreshnessTest {
    @Test
    void everyChangeAPageShowsIsInTheNextPage() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            Http other = server.customer();
            long a = create(api, "page-a");
            long b = create(api, "page-b");
            awaitStatus(api, a, "active");
            awaitStatus(api, b, "active");
            assertPageIsFresh(api, "/api/v1/servers/");
            assertPageIsFresh(api, "/api/v1/servers/?status=active");

            // Another account's servers are not on this account's pages.
            long elsewhere = create(other, "elsewhere");
            awaitStatus(other, elsewhere, "active");
            assertPageIsFresh(api, "/api/v1/servers/");

            assertThat(api.patch("/api/v1/servers/" + a + "/", "{\"name\": \"page-a-renamed\"}").status()).isEqualTo(200);
            assertThat(names(assertPageIsFresh(api, "/api/v1/servers/"))).containsExactly("page-a-renamed", "page-b");

            sql(server, "UPDATE servers SET hostname = 'by-hand.example.com' WHERE id = " + b);
            assertThat(assertPageIsFresh(api, "/api/v1/servers/").get("results").get(1).get("hostname").asText())
                    .isEqualTo("by-hand.example.com");

            assertThat(api.post("/api/v1/servers/" + a + "/stop/").status()).isEqualTo(200);
            awaitStatus(api, a, "stopped");
            assertThat(ids(assertPageIsFresh(api, "/api/v1/servers/?status=active"))).containsExactly(b);
            assertThat(ids(assertPageIsFresh(api, "/api/v1/servers/?status=stopped"))).containsExactly(a);

            sql(server, "UPDATE plans SET name = 'Renamed by hand' WHERE id = 1");
            assertThat(assertPageIsFresh(api, "/api/v1/servers/").get("results").get(0).get("plan").get("name").asText())
                    .isEqualTo("Renamed by hand");

            long c = create(api, "page-c");
            assertThat(ids(assertPageIsFresh(api, "/api/v1/servers/"))).containsExactly(a, b, c);
            awaitStatus(api, c, "active");

            assertThat(api.delete("/api/v1/servers/" + b + "/").status()).isIn(200, 202, 204);
            TestServer.await(api, b, s -> s == null, java.time.Duration.ofSeconds(30));
            JsonNode page = assertPageIsFresh(api, "/api/v1/servers/");
            assertThat(ids(page)).containsExactly(a, c);
            assertThat(page.get("count").asInt()).isEqualTo(2);
        }
    }

    /** Reads {@code path} twice and checks that both agree and that each server on it is as its detail says. */
    private static JsonNode assertPageIsFresh(Http api, String path) {
        JsonNode page = api.get(path).json();
        assertThat(api.get(path).json()).isEqualTo(page);
        for (JsonNode listed : page.get("results")) {
            JsonNode detail = api.get("/api/v1/servers/" + listed.get("id").asLong() + "/").json();
            for (String field : List.of("name", "hostname", "status", "ip_address", "location", "created_at", "updated_at")) {
                assertThat(listed.get(field)).as(field).isEqualTo(detail.get(field));
            }
            assertThat(listed.get("plan").get("name")).isEqualTo(detail.get("plan").get("name"));
        }
        return page;
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
