package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vpsd.server.testing.TestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.CatalogSpec;
import org.vpsd.server.domain.Plan;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;
import org.vpsd.server.testing.TestServer;

/**
 * Server reads on PostgreSQL take plans, images and locations from memory (CatalogCache): every change
 * to the catalog shows in the very next read, whether vpsd made it or a provider's own SQL did (on H2,
 * which joins the tables, these hold as well).
 */
class CatalogCacheTest {
    @Test
    void aCatalogChangedBySqlShowsInTheNextDetailAndPage() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long id = create(api, "cached-catalog");
            JsonNode before = api.get("/api/v1/servers/" + id + "/").json();
            assertThat(before.get("plan").get("name").asText()).isEqualTo("Standard VPS");
            assertThat(before.get("os").get("name").asText()).isEqualTo("Ubuntu 22.04 LTS");
            assertThat(before.get("location").asText()).isEqualTo("us-west");

            sql(server, "UPDATE plans SET name = 'Standard VPS (2027)', vcpus = 3 WHERE id = 1");
            sql(server, "UPDATE os_images SET name = 'Ubuntu 22.04.5 LTS' WHERE id = 5");
            sql(server, "UPDATE locations SET code = 'us-west-1' WHERE code = 'us-west'");

            JsonNode detail = api.get("/api/v1/servers/" + id + "/").json();
            assertThat(detail.get("plan").get("name").asText()).isEqualTo("Standard VPS (2027)");
            assertThat(detail.get("plan").get("vcpus").asInt()).isEqualTo(3);
            assertThat(detail.get("os").get("name").asText()).isEqualTo("Ubuntu 22.04.5 LTS");
            assertThat(detail.get("location").asText()).isEqualTo("us-west-1");
            JsonNode listed = api.get("/api/v1/servers/").json().get("results").get(0);
            assertThat(listed.get("plan").get("name").asText()).isEqualTo("Standard VPS (2027)");
            assertThat(listed.get("location").asText()).isEqualTo("us-west-1");
        }
    }

    @Test
    void aServerMovedByHandToAPlanAddedByHandReadsWithThatPlan() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long id = create(api, "moved-by-hand");
            assertThat(api.get("/api/v1/servers/" + id + "/").json().get("plan").get("id").asLong()).isEqualTo(1);
            // One transaction: the new plan and the server's move commit together.
            server.app.backend.database.jdbi().useTransaction(h -> {
                h.execute("INSERT INTO plans (id, name, vcpus, memory_mb, storage_gb, bandwidth_gb, hourly_price, available) "
                        + "VALUES (77, 'Hand-made', 16, 65536, 640, 8192, 0.5, TRUE)");
                h.execute("UPDATE servers SET plan_id = 77 WHERE id = ?", id);
            });
            JsonNode plan = api.get("/api/v1/servers/" + id + "/").json().get("plan");
            assertThat(plan.get("id").asLong()).isEqualTo(77);
            assertThat(plan.get("name").asText()).isEqualTo("Hand-made");
            assertThat(plan.get("vcpus").asInt()).isEqualTo(16);
        }
    }

    @Test
    void aCatalogAppliedByTheProviderShowsInTheNextRead() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long id = create(api, "applied-catalog");
            api.get("/api/v1/servers/" + id + "/");
            server.app.backend.catalog.apply(new CatalogSpec(
                    List.of(new Plan(1, "Standard VPS, renamed", 2, 4096, 80, 2048, new BigDecimal("0.0100"), true)),
                    List.of(), List.of()));
            assertThat(api.get("/api/v1/servers/" + id + "/").json().get("plan").get("name").asText())
                    .isEqualTo("Standard VPS, renamed");
        }
    }

    @Test
    void aCatalogChangeRolledBackIsNeverShownEvenWhenALaterOneTakesItsNumber() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long id = create(api, "rolled-back");
            TestServer.awaitStatus(api, id, "active");
            api.get("/api/v1/servers/" + id + "/");
            Database db = server.app.backend.database;
            db.jdbi().useHandle(h -> {
                h.begin();
                h.execute("UPDATE plans SET name = 'Never committed' WHERE id = 1");
                // A read inside that transaction sees its own change, as a join would.
                assertThat(new JdbiRepositories(h, db).servers().find(id).orElseThrow().plan().name())
                        .isEqualTo("Never committed");
                h.rollback();
            });
            // On PostgreSQL the number the rolled-back change had moved to is the one this change commits.
            sql(server, "UPDATE plans SET vcpus = 3 WHERE id = 1");
            JsonNode plan = api.get("/api/v1/servers/" + id + "/").json().get("plan");
            assertThat(plan.get("name").asText()).isEqualTo("Standard VPS");
            assertThat(plan.get("vcpus").asInt()).isEqualTo(3);
        }
    }

    /** PostgreSQL only: H2 joins the catalog in-process and holds no catalog in memory. */
    @Test
    void readsThatFollowNoCatalogChangeDoNotLoadTheCatalogAgain() {
        assumeTrue(TestDatabase.postgres(), "the catalog is held in memory on PostgreSQL only");
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long id = create(api, "steady-catalog");
            TestServer.awaitStatus(api, id, "active"); // the engine reads it no more
            CatalogCache cache = server.app.backend.database.catalogCache();
            long version = cache.current().version();
            long loads = cache.loads();
            for (int i = 0; i < 20; i++) {
                assertThat(api.get("/api/v1/servers/" + id + "/").status()).isEqualTo(200);
                assertThat(api.get("/api/v1/servers/").status()).isEqualTo(200);
            }
            assertThat(cache.loads()).isEqualTo(loads);
            sql(server, "UPDATE plans SET available = available WHERE id = 1");
            api.get("/api/v1/servers/" + id + "/");
            assertThat(cache.current().version()).isGreaterThan(version);
            assertThat(cache.loads()).isEqualTo(loads + 1);
        }
    }

    private static void sql(TestServer server, String statement) {
        server.app.backend.database.jdbi().useHandle(h -> h.execute(statement));
    }
}
