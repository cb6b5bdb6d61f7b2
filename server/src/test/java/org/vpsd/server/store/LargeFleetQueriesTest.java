package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.create;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** Queries that take a list of the fleet's ids work whatever the fleet's size (databases cap a statement's parameters). */
class LargeFleetQueriesTest {
    @Test
    void existingAnswersForMoreIdsThanOneStatementTakes() {
        try (TestServer server = TestServer.start()) {
            Http api = server.customer();
            long a = create(api, "fleet-a");
            long b = create(api, "fleet-b");
            // Reconciliation asks which of the machines it found belong to live servers: one per machine of
            // the fleet, more than PostgreSQL's 32,767 parameters per statement and H2's 100,000.
            List<Long> ids = new ArrayList<>();
            for (long id = 1_000_000; id < 1_120_000; id++) {
                ids.add(id);
            }
            ids.add(a);
            ids.add(b);
            java.util.Set<Long> live = server.app.backend.tx.read(r -> r.servers().existing(ids));
            assertThat(live).containsExactlyInAnyOrder(a, b);
        }
    }
}
