package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.engine.AddressesTest.create;
import static org.vpsd.server.testing.TestServer.awaitStatus;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Catalogs;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** Servers go to a host of their location with room for their plan; a full location fails them visibly. */
class PlacementTest {
    @Test
    void serversFillTheHostsWithRoomThenFailVisiblyAndADeleteMakesRoomAgain() {
        try (TestServer s = TestServer.start()) {
            assertThat(s.admin.put("/admin/v1/catalog/", Catalogs.RACKS).status()).isEqualTo(200);
            Http api = s.customer(new BigDecimal("100"));
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ids.add(create(api, "rack-" + i, "racks"));
            }
            Map<Long, Integer> perHost = new HashMap<>();
            for (long id : ids) {
                awaitStatus(api, id, "active");
                long host = s.admin.get("/admin/v1/servers/" + id + "/").json().get("host_id").asLong();
                perHost.merge(host, 1, Integer::sum);
            }
            // Each to the host with the most free memory then: two on rack-2 and one on rack-1, never the disabled host.
            assertThat(perHost.values()).containsExactlyInAnyOrder(2, 1);

            long fourth = create(api, "rack-3", "racks");
            awaitStatus(api, fourth, "error");
            assertThat(s.admin.get("/admin/v1/servers/" + fourth + "/").json().get("status_detail").asText())
                    .contains("No host in racks has room");

            // The failed server holds no capacity; a deleted one gives its capacity back.
            assertThat(api.delete("/api/v1/servers/" + fourth + "/").status()).isEqualTo(204);
            assertThat(api.delete("/api/v1/servers/" + ids.get(0) + "/").status()).isEqualTo(204);
            TestServer.await(api, ids.get(0), x -> x == null, Duration.ofSeconds(20));
            long fifth = create(api, "rack-4", "racks");
            awaitStatus(api, fifth, "active");
        }
    }

    // rack-a holds two Standard VPS (8 GiB), rack-b one (6 GiB): the first server has more room on rack-a, the
    // second on rack-b (6 GiB free against 4), the third on rack-a again (4 against 2); then neither has room.
    static final String UNEVEN = Catalogs.racksWith(Catalogs.host("rack-a", 8, 8192), Catalogs.host("rack-b", 8, 6144));

    @Test
    void eachServerGoesToTheHostWithTheMostFreeMemory() {
        try (TestServer s = TestServer.start()) {
            assertThat(s.admin.put("/admin/v1/catalog/", UNEVEN).status()).isEqualTo(200);
            Http api = s.customer(new BigDecimal("100"));
            List<Long> hosts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                long id = create(api, "uneven-" + i, "racks");
                awaitStatus(api, id, "active");
                hosts.add(s.admin.get("/admin/v1/servers/" + id + "/").json().get("host_id").asLong());
            }
            // rack-a, then rack-b, then rack-a: a rule that filled the largest host first would put the second on rack-a too.
            assertThat(hosts.get(1)).isNotEqualTo(hosts.get(0));
            assertThat(hosts.get(2)).isEqualTo(hosts.get(0));

            long fourth = create(api, "uneven-3", "racks");
            awaitStatus(api, fourth, "error");
            assertThat(s.admin.get("/admin/v1/servers/" + fourth + "/").json().get("status_detail").asText())
                    .contains("No host in racks has room");
        }
    }
}
