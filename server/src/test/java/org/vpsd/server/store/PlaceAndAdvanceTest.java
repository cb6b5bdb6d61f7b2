package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.store.StoreRows.count;
import static org.vpsd.server.store.StoreRows.sql;
import static org.vpsd.server.store.StoreRows.text;
import static org.vpsd.server.testing.TestServer.awaitStatus;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Repositories.Addresses.Placement;
import org.vpsd.server.testing.Catalogs;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;
import org.vpsd.server.testing.TestServer;

/**
 * Provisioning's placement together with its step's progress in one statement that commits by itself
 * (PostgreSQL): the addresses, the host's capacity, the server's row and the task's progress all
 * written, or none of them, when the claim no longer holds the task or the usual way cannot place the
 * server. H2 leaves every placement to the general way.
 */
class PlaceAndAdvanceTest {
    private static final String OWNER = "place-test#1";
    // One host with room for two Standard VPS.
    private static final String CATALOG = Catalogs.racksWith(Catalogs.host("rack-1", 4, 8192));

    @Test
    void placesAndSavesTheProgressTogetherOrChangesNothing() {
        try (TestServer s = TestServer.start()) {
            assertThat(s.admin.put("/admin/v1/catalog/", CATALOG).status()).isEqualTo(200);
            Http api = s.customer(new BigDecimal("100"));
            var created = api.post("/api/v1/servers/", "{\"name\":\"place-a\",\"plan_id\":1,\"os_id\":5,\"location\":\"racks\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            long id = created.json().get("id").asLong();
            awaitStatus(api, id, "active");
            long location = count(s, "SELECT location_id FROM servers WHERE id = " + id);
            long host = count(s, "SELECT id FROM hosts WHERE name = 'rack-1'");
            unplace(s, id, host);
            String before = placement(s, id, host);

            // Another claim holds the task: nothing is written.
            leasedTask(s, id, "someone-else#7");
            assertThat(placeAndAdvance(s, id, location)).isEmpty();
            assertThat(placement(s, id, host)).isEqualTo(before);
            assertThat(task(s, id)).isEqualTo("0 someone-else#7 null");
            sql(s, "DELETE FROM server_tasks WHERE server_id = " + id);

            leasedTask(s, id, OWNER);
            Optional<Placement> placed = placeAndAdvance(s, id, location);
            if (!TestDatabase.postgres()) {
                // H2: always the general way.
                assertThat(placed).isEmpty();
                assertThat(placement(s, id, host)).isEqualTo(before);
                return;
            }
            // The claim's task: addresses, the host, the server's row and the progress, together.
            assertThat(placed).isPresent();
            assertThat(placed.get().hostId()).isEqualTo(host);
            assertThat(placed.get().addresses()).containsOnlyKeys(4, 6);
            assertThat(placed.get().addresses().get(4).range().cidr()).isEqualTo("192.0.2.0/28");
            assertThat(placement(s, id, host)).isEqualTo("2 2 " + host + " 2/4096");
            assertThat(task(s, id)).isEqualTo("1 " + OWNER + " net=none");
            assertThat(count(s, "SELECT COUNT(*) FROM servers WHERE id = " + id + " AND ipv4 = '"
                    + placed.get().addresses().get(4).address() + "'")).isEqualTo(1);

            // No host has room: the usual way cannot place it, and nothing is written, not even the addresses.
            unplace(s, id, host);
            sql(s, "UPDATE hosts SET used_vcpus = vcpus, used_memory_mb = memory_mb WHERE id = " + host);
            sql(s, "UPDATE server_tasks SET step = 0, state = NULL WHERE server_id = " + id);
            String full = placement(s, id, host);
            assertThat(placeAndAdvance(s, id, location)).isEmpty();
            assertThat(placement(s, id, host)).isEqualTo(full);
            assertThat(task(s, id)).isEqualTo("0 " + OWNER + " null");
        }
    }

    private static Optional<Placement> placeAndAdvance(TestServer s, long id, long location) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        var progress = new Repositories.Progress(1, now, now.plusSeconds(600), "net=none", 0, null);
        return s.app.backend.tx.atomically(r -> r.addresses().placeAndAdvance(id, location, null, 2, 4096,
                new Repositories.Advance(id, 0, OWNER, progress, true)));
    }

    /** The server's addresses given back, its row without them or a host, and the host's capacity for it freed. */
    private static void unplace(TestServer s, long id, long host) {
        sql(s, "UPDATE ip_addresses SET server_id = NULL, released_at = CURRENT_TIMESTAMP WHERE server_id = " + id);
        sql(s, "UPDATE servers SET ipv4 = NULL, ipv6 = NULL, host_id = NULL WHERE id = " + id);
        sql(s, "UPDATE hosts SET used_vcpus = used_vcpus - 2, used_memory_mb = used_memory_mb - 4096 WHERE id = " + host);
    }

    /** Addresses held, of the server's row filled, its host, and the host's capacity used: "HELD FILLED HOST VCPUS/MB". */
    private static String placement(TestServer s, long id, long host) {
        return count(s, "SELECT COUNT(*) FROM ip_addresses WHERE server_id = " + id) + " "
                + count(s, "SELECT (CASE WHEN ipv4 IS NULL THEN 0 ELSE 1 END) + (CASE WHEN ipv6 IS NULL THEN 0 ELSE 1 END) FROM servers WHERE id = " + id)
                + " " + text(s, "SELECT CAST(host_id AS VARCHAR(20)) FROM servers WHERE id = " + id) + " "
                + text(s, "SELECT CAST(used_vcpus AS VARCHAR(10)) || '/' || CAST(used_memory_mb AS VARCHAR(10)) FROM hosts WHERE id = " + host);
    }

    /** The task's step, lease owner and state: "STEP OWNER STATE". */
    private static String task(TestServer s, long id) {
        return text(s, "SELECT CAST(step AS VARCHAR(5)) || ' ' || lease_owner || ' ' || COALESCE(state, 'null') FROM server_tasks WHERE server_id = " + id);
    }

    /** A provisioning task at its first step, held by {@code owner}. */
    private static void leasedTask(TestServer s, long id, String owner) {
        StoreRows.leasedTask(s, id, "provision", 0, owner);
    }
}
