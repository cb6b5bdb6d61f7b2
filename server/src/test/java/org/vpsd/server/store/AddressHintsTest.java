package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Catalogs;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * A pool's hint (where its never-used addresses begin, as this process last saw) is only where the
 * look starts: addresses below it that are still free are given once nothing above it is, and none
 * is given twice.
 */
class AddressHintsTest {
    @Test
    void freeAddressesBelowTheHintAreStillGiven() {
        try (TestServer s = TestServer.start()) {
            assertThat(s.admin.put("/admin/v1/catalog/", Catalogs.TINY_POOL).status()).isEqualTo(200);
            Database db = s.app.backend.database;
            long location = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM locations WHERE code = 'tiny'")
                    .mapTo(Long.class).one());
            long fourth = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM ip_addresses WHERE address = '192.0.2.4'")
                    .mapTo(Long.class).one());
            // As if allocations of .2 to .4 had been rolled back after the hint moved past them.
            db.addressHints().took(location, 4, fourth);

            Http api = s.customer(new BigDecimal("100"));
            List<String> given = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                var r = api.post("/api/v1/servers/", "{\"name\":\"tiny-" + i + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"tiny\"}");
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                given.add(awaitStatus(api, r.json().get("id").asLong(), "active").get("ip_address").asText());
            }
            assertThat(given).containsExactlyInAnyOrder("192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6");
            if (db.kind() == Database.Kind.POSTGRESQL) {
                // Above the hint first, then from the pool's start.
                assertThat(given.subList(0, 2)).containsExactly("192.0.2.5", "192.0.2.6");
            }
        }
    }
}
