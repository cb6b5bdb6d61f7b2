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
 * The customer's list reads less of each server than its detail (on PostgreSQL, only the columns the
 * list shows): each listed server still shows exactly what its detail shows for the same fields, in
 * every state, the address hidden until the server is provisioned.
 */
class ListedServersTest {
    private static final List<String> SAME = List.of("id", "name", "hostname", "status", "ip_address", "location", "os",
            "created_at", "updated_at");

    @Test
    void eachListedServerShowsWhatItsDetailShows() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long active = create(api, "listed-active");
            long stopped = create(api, "listed-stopped");
            awaitStatus(api, active, "active");
            awaitStatus(api, stopped, "active");
            assertThat(api.post("/api/v1/servers/" + stopped + "/stop/").status()).isEqualTo(200);
            awaitStatus(api, stopped, "stopped");
            // Without the engine, a server created now stays as created: provisioning, no address shown yet.
            server.app.engine.close();
            long provisioning = create(api, "listed-provisioning");

            JsonNode results = api.get("/api/v1/servers/").json().get("results");
            List<String> statuses = new ArrayList<>();
            for (JsonNode item : results) {
                JsonNode detail = api.get("/api/v1/servers/" + item.get("id").asLong() + "/").json();
                for (String field : SAME) {
                    assertThat(item.get(field)).as(field + " of " + item.get("name")).isEqualTo(detail.get(field));
                }
                assertThat(item.get("plan").size()).isGreaterThanOrEqualTo(5);
                item.get("plan").fields().forEachRemaining(e ->
                        assertThat(e.getValue()).as("plan." + e.getKey()).isEqualTo(detail.get("plan").get(e.getKey())));
                statuses.add(item.get("status").asText());
            }
            assertThat(results).extracting(n -> n.get("id").asLong()).containsExactly(active, stopped, provisioning);
            assertThat(statuses).containsExactly("active", "stopped", "provisioning");
            assertThat(results.get(0).get("ip_address").asText()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
            assertThat(results.get(1).get("ip_address").asText()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
            assertThat(results.get(2).get("ip_address").isNull()).isTrue();
        }
    }
}
