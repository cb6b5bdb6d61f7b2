package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;
import static org.vpsd.server.testing.TestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** The engine drives servers through their life cycle, forces what guests ignore, retries, and gives up visibly. */
class LifecycleTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void clearFaults() {
        server.admin.delete("/admin/v1/simulator/faults/");
    }

    @Test
    void racingActionsOnOneServerLetExactlyOneWin() throws Exception {
        // A slower simulator (20x: a reboot takes 0.5 to 1.5 s) so that the first action is still under way.
        try (TestServer slow = TestServer.start(c -> c.withTimeScale(20))) {
            race(slow);
        }
    }

    private static void race(TestServer slow) throws Exception {
        Http api = slow.customer();
        long id = create(api, "race-1");
        TestServer.await(api, id, s -> s != null && s.get("status").asText().equals("active"), Duration.ofSeconds(40));
        List<Callable<Http.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String action = i % 2 == 0 ? "stop" : "reboot";
            calls.add(() -> api.post("/api/v1/servers/" + id + "/" + action + "/"));
        }
        List<Http.Response> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
            for (Future<Http.Response> f : pool.invokeAll(calls)) {
                responses.add(f.get());
            }
        }
        assertThat(responses.stream().filter(r -> r.status() == 200)).hasSize(1);
        assertThat(responses.stream().filter(r -> r.status() == 400)).hasSize(11);
        responses.stream().filter(r -> r.status() == 400)
                .forEach(r -> assertThat(r.json().get("detail").asText()).matches("Server is (already )?(stopping|rebooting|running)"));
        String winner = responses.stream().filter(r -> r.status() == 200).findFirst().orElseThrow().json().get("message").asText();
        awaitStatus(api, id, winner.equals("Server is stopping") ? "stopped" : "active");
    }

    @Test
    void deleteDuringProvisioningWins() {
        Http api = server.customer();
        try (TestServer slow = TestServer.start(c -> c.withTimeScale(1))) {
            Http a = slow.customer();
            long id = create(a, "early-1");
            assertThat(a.get("/api/v1/servers/" + id + "/").json().get("status").asText()).isEqualTo("provisioning");
            TestServer.sleep(300);
            assertThat(a.delete("/api/v1/servers/" + id + "/").status()).isEqualTo(204);
            TestServer.await(a, id, s -> s == null, Duration.ofSeconds(30));
            var view = slow.admin.get("/admin/v1/servers/" + id + "/");
            assertThat(view.status()).isEqualTo(404);
            assertThat(slow.admin.get("/admin/v1/unknown-machines/").json().get("count").asInt()).isZero();
            assertThat(slow.app.hypervisor.state(new org.vpsd.server.driver.VmRef("vpsd-" + id, "sim:us-west"))).isEmpty();
        }
        assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isZero();
    }

    @Test
    void aGuestThatIgnoresTheShutdownRequestIsPoweredOff() {
        Http api = server.customer();
        long id = create(api, "deaf-1");
        awaitStatus(api, id, "active");
        assertThat(server.admin.put("/admin/v1/simulator/ignore-acpi/", "{\"ignore\": true}").status()).isEqualTo(200);
        api.post("/api/v1/servers/" + id + "/stop/");
        awaitStatus(api, id, "stopped");
        assertThat(events(id)).anyMatch(e -> e.contains("powered off"));
        api.post("/api/v1/servers/" + id + "/start/");
        awaitStatus(api, id, "active");
        api.post("/api/v1/servers/" + id + "/reboot/");
        awaitStatus(api, id, "active");
        assertThat(events(id)).anyMatch(e -> e.contains("was reset"));
    }

    @Test
    void aFailingHypervisorIsRetriedThenTheServerGoesToErrorWithTheReason() {
        Http api = server.customer();
        server.admin.put("/admin/v1/simulator/faults/create/", "{\"fail_next\": 1000, \"message\": \"host on fire\"}");
        long id = create(api, "doomed-1");
        JsonNode s = awaitStatus(api, id, "error");
        assertThat(s.get("ip_address").isNull()).isTrue();
        JsonNode view = server.admin.get("/admin/v1/servers/" + id + "/").json();
        assertThat(view.get("status_detail").asText()).contains("host on fire").contains("attempts");
        assertThat(events(id).stream().filter(e -> e.startsWith("retry"))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(api.post("/api/v1/servers/" + id + "/reboot/").status()).isEqualTo(400);
        assertThat(api.delete("/api/v1/servers/" + id + "/").status()).isEqualTo(204);
        server.admin.delete("/admin/v1/simulator/faults/");
        TestServer.await(api, id, x -> x == null, Duration.ofSeconds(30));
    }

    @Test
    void aPassingFailureIsRetriedAndTheServerStillArrives() {
        Http api = server.customer();
        server.admin.put("/admin/v1/simulator/faults/create/", "{\"fail_next\": 2}");
        long id = create(api, "bumpy-1");
        awaitStatus(api, id, "active");
        assertThat(events(id).stream().filter(e -> e.startsWith("retry"))).hasSize(2);
        JsonNode sim = server.admin.get("/admin/v1/simulator/").json();
        assertThat(sim.get("faults").get(0).get("fail_next").asInt()).isZero();
    }

    @Test
    void aGuestThatPowersItselfOffMakesItsServerStopped() {
        Http api = server.customer();
        long id = create(api, "self-off-1");
        awaitStatus(api, id, "active");
        assertThat(server.admin.post("/admin/v1/simulator/servers/" + id + "/guest-power-off/").status()).isEqualTo(202);
        awaitStatus(api, id, "stopped");
        assertThat(events(id)).anyMatch(e -> e.contains("powered itself off"));
        api.post("/api/v1/servers/" + id + "/start/");
        awaitStatus(api, id, "active");
    }

    @Test
    void theWholeLifeCycle() {
        Http api = server.customer();
        long id = create(api, "life-1");
        awaitStatus(api, id, "active");
        for (int i = 0; i < 3; i++) {
            assertThat(api.post("/api/v1/servers/" + id + "/stop/").status()).isEqualTo(200);
            awaitStatus(api, id, "stopped");
            assertThat(api.post("/api/v1/servers/" + id + "/start/").status()).isEqualTo(200);
            awaitStatus(api, id, "active");
            assertThat(api.post("/api/v1/servers/" + id + "/reboot/").status()).isEqualTo(200);
            awaitStatus(api, id, "active");
        }
        assertThat(api.delete("/api/v1/servers/" + id + "/").status()).isEqualTo(204);
        TestServer.await(api, id, s -> s == null, Duration.ofSeconds(30));
    }

    static List<String> events(long id) {
        List<String> out = new ArrayList<>();
        server.admin.get("/admin/v1/servers/" + id + "/").json().get("events")
                .forEach(e -> out.add(e.get("kind").asText() + ": " + e.get("message").asText()));
        return out;
    }
}
