package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.driver.VmSpec;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * Provisioning notes the ranges of the addresses it takes in the task's state it hands to the machine's
 * build, and builds the machine from them without reading the pools again: what it builds is what
 * reading them gives. The machine's creation is made to fail here (the simulator's fault), so that the
 * task waits between the two steps, with the build's progress (and the state it was handed) saved, for
 * the test to look at. (The placement's own progress carries them on H2; on PostgreSQL it is saved by
 * the placing statement, before they are known, and a build after a crash reads them.)
 */
class ProvisionNetworkTest {
    @Test
    void theNetworkNotedWithTheAddressesIsTheOneTheirPoolsGive() {
        // At the real time scale a failed creation is tried again after a second, then two, four...
        try (TestServer s = TestServer.start(c -> c.withTimeScale(1))) {
            s.admin.put("/admin/v1/simulator/faults/create/", "{\"fail_next\": 1000, \"message\": \"not yet\"}");
            Http api = s.customer();
            long id = TestServer.create(api, "noted-net-1");
            var tx = s.app.backend.backgroundTx;
            Repositories.Task task = null;
            Instant end = Instant.now().plus(Duration.ofSeconds(20));
            while (Instant.now().isBefore(end)) {
                Optional<Repositories.Task> t = tx.read(r -> r.tasks().find(id));
                if (t.isPresent() && t.get().step() >= 1 && t.get().attempts() >= 1) {
                    task = t.get();
                    break;
                }
                TestServer.sleep(20);
            }
            assertThat(task).as("the task past the placement, its build failed once").isNotNull();
            Server server = tx.read(r -> r.servers().find(id)).orElseThrow();
            assertThat(server.ipv4()).isNotNull();
            assertThat(server.ipv6()).isNotNull();

            Map<String, String> state = new LinkedHashMap<>();
            for (String pair : task.state().split(";")) {
                state.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
            var noted = ProvisionOp.notedRanges(server, state::get);
            assertThat(noted).containsOnlyKeys(server.ipv4(), server.ipv6());

            VmSpec read = tx.read(r -> s.app.machines.spec(r, server, Map.of()));
            assertThat(read.ipv4().gateway()).as("the read found the address's range").isNotNull();
            assertThat(read.ipv6().prefixLength()).isLessThan(128);
            assertThat(s.app.machines.specWithoutRead(server, noted)).contains(read);
            // Without the ranges noted, the machine is not built blind.
            assertThat(s.app.machines.specWithoutRead(server, Map.of())).isEmpty();
            s.admin.delete("/admin/v1/simulator/faults/");
        }
    }
}
