package org.vpsd.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;
import static org.vpsd.server.testing.TestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** The nine documented endpoints, exactly as the reference pages and the spec describe them. */
class ServersApiTest {
    static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    @Test
    void listOfANewAccountIsEmpty() {
        var r = server.customer().get("/api/v1/servers/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("count").asInt()).isZero();
        assertThat(r.json().get("results").isArray()).isTrue();
        assertThat(r.json().get("results")).isEmpty();
        assertThat(r.json().get("next").isNull()).isTrue();
        assertThat(r.json().get("previous").isNull()).isTrue();
        assertThat(r.header("Content-Type")).startsWith("application/json");
    }

    @Test
    void createAnswersTheDocumentedBody() {
        Http api = server.customer();
        var r = api.post("/api/v1/servers/", """
                {"name": "web-server-02", "plan_id": 1, "os_id": 5, "location": "us-west",
                 "hostname": "web02.example.com", "backups_enabled": true}""");
        assertThat(r.status()).isEqualTo(201);
        JsonNode s = r.json();
        assertThat(keys(s)).containsExactly("id", "name", "hostname", "status", "ip_address", "location", "plan", "os",
                "backups_enabled", "created_at", "updated_at", "message");
        assertThat(s.get("id").isIntegralNumber()).isTrue();
        assertThat(s.get("name").asText()).isEqualTo("web-server-02");
        assertThat(s.get("hostname").asText()).isEqualTo("web02.example.com");
        assertThat(s.get("status").asText()).isEqualTo("provisioning");
        assertThat(s.get("ip_address").isNull()).isTrue();
        assertThat(s.get("location").asText()).isEqualTo("us-west");
        assertThat(keys(s.get("plan"))).containsExactly("id", "name", "vcpus", "memory", "storage");
        assertThat(s.get("plan").toString()).isEqualTo("{\"id\":1,\"name\":\"Standard VPS\",\"vcpus\":2,\"memory\":4096,\"storage\":80}");
        assertThat(s.get("os").toString()).isEqualTo("{\"id\":5,\"name\":\"Ubuntu 22.04 LTS\"}");
        assertThat(s.get("backups_enabled").asBoolean()).isTrue();
        assertThat(s.get("created_at").asText()).matches(TIMESTAMP);
        assertThat(s.get("updated_at").asText()).matches(TIMESTAMP);
        assertThat(s.get("message").asText()).isEqualTo("Server is being provisioned. This may take 2-5 minutes.");
        assertThat(r.header("Location")).isEqualTo("/api/v1/servers/" + s.get("id").asLong() + "/");
        // The server as created is the server as stored: the same fields a read gives at once.
        JsonNode read = api.get("/api/v1/servers/" + s.get("id").asLong() + "/").json();
        for (String field : List.of("id", "name", "hostname", "location", "backups_enabled", "created_at")) {
            assertThat(read.get(field)).as(field).isEqualTo(s.get(field));
        }
        assertThat(read.get("plan").get("id")).isEqualTo(s.get("plan").get("id"));
        assertThat(read.get("os")).isEqualTo(s.get("os"));
    }

    @Test
    void hostnameDefaultsToTheNameAndBackupsToFalse() {
        Http api = server.customer();
        var r = api.post("/api/v1/servers", "{\"name\": \"db-1\", \"plan_id\": 2, \"os_id\": 3, \"location\": \"us-east\"}");
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.json().get("hostname").asText()).isEqualTo("db-1");
        assertThat(r.json().get("backups_enabled").asBoolean()).isFalse();
        assertThat(r.json().get("plan").get("name").asText()).isEqualTo("Performance VPS");
        assertThat(r.json().get("os").get("name").asText()).isEqualTo("Debian 12");
    }

    @Test
    void detailHasTheDetailOnlyFieldsAndAddressesOnceProvisioned() {
        Http api = server.customer();
        long id = create(api, "detail-1");
        JsonNode early = api.get("/api/v1/servers/" + id + "/").json();
        assertThat(keys(early)).containsExactly("id", "name", "hostname", "status", "ip_address", "ipv6_address", "location", "plan",
                "os", "backups_enabled", "resource_usage", "created_at", "updated_at");
        assertThat(keys(early.get("plan"))).containsExactly("id", "name", "vcpus", "memory", "storage", "bandwidth");
        assertThat(early.get("plan").get("bandwidth").asInt()).isEqualTo(2048);
        assertThat(keys(early.get("resource_usage"))).containsExactly("cpu_percent", "memory_used", "disk_used", "bandwidth_used");

        JsonNode s = awaitStatus(api, id, "active");
        assertThat(s.get("ip_address").asText()).matches("203\\.0\\.113\\.\\d{1,3}");
        assertThat(s.get("ipv6_address").asText()).startsWith("2001:db8::");
        JsonNode u = s.get("resource_usage");
        assertThat(u.get("cpu_percent").asDouble()).isBetween(0.0, 100.0);
        assertThat(u.get("memory_used").asLong()).isBetween(1L, 4096L);
        assertThat(u.get("disk_used").asLong()).isBetween(0L, 80L);
        assertThat(u.get("bandwidth_used").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(s.get("updated_at").asText()).matches(TIMESTAMP);
    }

    @Test
    void listItemsHaveTheListShape() {
        Http api = server.customer();
        long id = create(api, "list-1");
        JsonNode item = api.get("/api/v1/servers/").json().get("results").get(0);
        assertThat(keys(item)).containsExactly("id", "name", "hostname", "status", "ip_address", "location", "plan", "os",
                "created_at", "updated_at");
        assertThat(item.get("id").asLong()).isEqualTo(id);
    }

    @Test
    void everyPathIsServedWithAndWithoutTheTrailingSlash() {
        Http api = server.customer();
        long id = create(api, "slash-1");
        awaitStatus(api, id, "active");
        for (String path : List.of("/api/v1/servers", "/api/v1/servers/" + id, "/api/v1/plans", "/api/v1/os", "/api/v1/locations",
                "/api/v1/ssh-keys")) {
            assertThat(api.get(path).status()).as(path).isEqualTo(200);
            assertThat(api.get(path + "/").status()).as(path + "/").isEqualTo(200);
        }
        assertThat(api.post("/api/v1/servers/" + id + "/stop").status()).isEqualTo(200);
        awaitStatus(api, id, "stopped");
        assertThat(api.post("/api/v1/servers/" + id + "/start").status()).isEqualTo(200);
        assertThat(api.patch("/api/v1/servers/" + id, "{\"backups_enabled\": true}").status()).isEqualTo(200);
        assertThat(api.delete("/api/v1/servers/" + id).status()).isEqualTo(204);
    }

    @Test
    void filtersByStatusAndLocation() {
        Http api = server.customer();
        long west = create(api, "west-1");
        var r = api.post("/api/v1/servers/", "{\"name\": \"east-1\", \"plan_id\": 1, \"os_id\": 5, \"location\": \"us-east\"}");
        long east = r.json().get("id").asLong();
        awaitStatus(api, west, "active");
        awaitStatus(api, east, "active");
        api.post("/api/v1/servers/" + east + "/stop/");
        awaitStatus(api, east, "stopped");

        assertThat(ids(api.get("/api/v1/servers/?status=active").json())).containsExactly(west);
        assertThat(ids(api.get("/api/v1/servers/?status=stopped").json())).containsExactly(east);
        assertThat(ids(api.get("/api/v1/servers/?location=us-east").json())).containsExactly(east);
        assertThat(ids(api.get("/api/v1/servers/?location=us-west&status=active").json())).containsExactly(west);
        assertThat(ids(api.get("/api/v1/servers/?location=us-west&status=stopped").json())).isEmpty();
        assertThat(api.get("/api/v1/servers/?status=suspended").json().get("count").asInt()).isZero();

        var bad = api.get("/api/v1/servers/?status=running");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("status").get(0).asText()).contains("running");
        assertThat(api.get("/api/v1/servers/?location=mars").status()).isEqualTo(400);
    }

    static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("results").forEach(s -> ids.add(s.get("id").asLong()));
        return ids;
    }

    @Test
    void paginatesLikeDjangoRestFramework() {
        Http api = server.customer();
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(create(api, "page-" + i));
        }
        JsonNode p1 = api.get("/api/v1/servers/?page_size=3").json();
        assertThat(p1.get("count").asInt()).isEqualTo(7);
        assertThat(ids(p1)).containsExactlyElementsOf(created.subList(0, 3));
        assertThat(p1.get("previous").isNull()).isTrue();
        assertThat(p1.get("next").asText()).isEqualTo(server.baseUrl() + "/api/v1/servers/?page_size=3&page=2");

        JsonNode p2 = api.get("/api/v1/servers/?page_size=3&page=2").json();
        assertThat(ids(p2)).containsExactlyElementsOf(created.subList(3, 6));
        assertThat(p2.get("previous").asText()).isEqualTo(server.baseUrl() + "/api/v1/servers/?page_size=3");
        assertThat(p2.get("next").asText()).isEqualTo(server.baseUrl() + "/api/v1/servers/?page_size=3&page=3");

        JsonNode p3 = api.get(p2.get("next").asText().substring(server.baseUrl().length())).json();
        assertThat(ids(p3)).containsExactly(created.get(6));
        assertThat(p3.get("next").isNull()).isTrue();

        var past = api.get("/api/v1/servers/?page_size=3&page=4");
        assertThat(past.status()).isEqualTo(404);
        assertThat(past.json().get("detail").asText()).isEqualTo("Invalid page.");
        assertThat(ids(api.get("/api/v1/servers/?page_size=100000").json())).containsExactlyElementsOf(created);
        assertThat(api.get("/api/v1/servers/").json().get("results")).hasSize(7);
    }

    @Test
    void putNeedsEveryFieldAndPatchOnlyTheGivenOnes() {
        Http api = server.customer();
        long id = create(api, "upd-1");
        var partial = api.put("/api/v1/servers/" + id + "/", "{\"name\": \"web-server-updated\"}");
        assertThat(partial.status()).isEqualTo(400);
        assertThat(partial.json().get("hostname").get(0).asText()).isEqualTo("This field is required.");
        assertThat(partial.json().get("backups_enabled").get(0).asText()).isEqualTo("This field is required.");
        assertThat(api.get("/api/v1/servers/" + id + "/").json().get("name").asText()).isEqualTo("upd-1");

        var put = api.put("/api/v1/servers/" + id + "/",
                "{\"name\": \"web-server-updated\", \"hostname\": \"web-updated.example.com\", \"backups_enabled\": true}");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.json().get("name").asText()).isEqualTo("web-server-updated");
        assertThat(put.json().get("hostname").asText()).isEqualTo("web-updated.example.com");
        assertThat(put.json().get("backups_enabled").asBoolean()).isTrue();
        assertThat(put.json().has("resource_usage")).isTrue();

        var patch = api.patch("/api/v1/servers/" + id + "/", "{\"name\": \"new-server-name\"}");
        assertThat(patch.status()).isEqualTo(200);
        assertThat(patch.json().get("name").asText()).isEqualTo("new-server-name");
        assertThat(patch.json().get("hostname").asText()).isEqualTo("web-updated.example.com");
        assertThat(api.patch("/api/v1/servers/" + id + "/", "{}").json().get("name").asText()).isEqualTo("new-server-name");

        var readOnly = api.patch("/api/v1/servers/" + id + "/", "{\"plan_id\": 2}");
        assertThat(readOnly.status()).isEqualTo(400);
        assertThat(readOnly.json().has("plan_id")).isTrue();
    }

    @Test
    void namesAreUniqueAmongAnAccountsServersButNotAcrossAccounts() {
        Http a = server.customer();
        Http b = server.customer();
        create(a, "same-name");
        create(b, "same-name");
        var dup = a.post("/api/v1/servers/", "{\"name\": \"same-name\", \"plan_id\": 1, \"os_id\": 5, \"location\": \"us-west\"}");
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.json().get("name").get(0).asText()).isEqualTo("A server with this name already exists.");
        // Every problem of a request at once: the name in use beside an unknown plan.
        var both = a.post("/api/v1/servers/", "{\"name\": \"same-name\", \"plan_id\": 999, \"os_id\": 5, \"location\": \"us-west\"}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("name").get(0).asText()).isEqualTo("A server with this name already exists.");
        assertThat(both.json().get("plan_id").get(0).asText()).contains("999");
        long other = create(a, "other-name");
        assertThat(a.patch("/api/v1/servers/" + other + "/", "{\"name\": \"same-name\"}").status()).isEqualTo(400);
        assertThat(a.get("/api/v1/servers/").json().get("count").asInt()).isEqualTo(2);
    }

    @Test
    void deleteAnswers204ThenTheServerGoesAway() {
        Http api = server.customer();
        long id = create(api, "del-1");
        awaitStatus(api, id, "active");
        var r = api.delete("/api/v1/servers/" + id + "/");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        var during = api.get("/api/v1/servers/" + id + "/");
        assertThat(during.status()).isIn(200, 404);
        if (during.status() == 200) {
            assertThat(during.json().get("status").asText()).isEqualTo("deleting");
            assertThat(api.delete("/api/v1/servers/" + id + "/").status()).isIn(204, 404);
        }
        TestServer.await(api, id, s -> s == null, java.time.Duration.ofSeconds(30));
        assertThat(api.delete("/api/v1/servers/" + id + "/").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isZero();
        long again = create(api, "del-1");
        assertThat(again).isNotEqualTo(id);
    }

    @Test
    void actionsAnswerTheDocumentedBodiesAndMoveThroughTheirStatuses() {
        Http api = server.customer();
        long id = create(api, "act-1");
        awaitStatus(api, id, "active");

        var stop = api.post("/api/v1/servers/" + id + "/stop/");
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.json().toString()).isEqualTo(
                "{\"status\":\"success\",\"message\":\"Server is stopping\",\"server\":{\"id\":" + id
                        + ",\"name\":\"act-1\",\"status\":\"stopping\"}}");
        JsonNode stopped = awaitStatus(api, id, "stopped");
        assertThat(stopped.get("resource_usage").get("cpu_percent").asDouble()).isZero();
        assertThat(stopped.get("resource_usage").get("memory_used").asLong()).isZero();

        var start = api.post("/api/v1/servers/" + id + "/start/");
        assertThat(start.status()).isEqualTo(200);
        assertThat(start.json().get("message").asText()).isEqualTo("Server is starting");
        assertThat(start.json().get("server").get("status").asText()).isEqualTo("starting");
        awaitStatus(api, id, "active");

        var reboot = api.post("/api/v1/servers/" + id + "/reboot/");
        assertThat(reboot.status()).isEqualTo(200);
        assertThat(reboot.json().get("status").asText()).isEqualTo("success");
        assertThat(reboot.json().get("message").asText()).isEqualTo("Server is rebooting");
        assertThat(reboot.json().get("server").get("status").asText()).isEqualTo("rebooting");
        awaitStatus(api, id, "active");
    }

    @Test
    void actionsThatDoNotFitTheStatusAre400WithAReason() {
        Http api = server.customer();
        long id = create(api, "state-1");
        var provisioning = api.post("/api/v1/servers/" + id + "/reboot/");
        assertThat(provisioning.status()).isEqualTo(400);
        assertThat(provisioning.json().get("detail").asText()).isEqualTo("Server is provisioning");
        awaitStatus(api, id, "active");
        var running = api.post("/api/v1/servers/" + id + "/start/");
        assertThat(running.status()).isEqualTo(400);
        assertThat(running.json().toString()).isEqualTo("{\"detail\":\"Server is already running\"}");
        api.post("/api/v1/servers/" + id + "/stop/");
        awaitStatus(api, id, "stopped");
        assertThat(api.post("/api/v1/servers/" + id + "/reboot/").json().get("detail").asText()).isEqualTo("Server is not running");
        assertThat(api.post("/api/v1/servers/" + id + "/stop/").json().get("detail").asText()).isEqualTo("Server is not running");
        assertThat(api.get("/api/v1/servers/" + id + "/").json().get("status").asText()).isEqualTo("stopped");
    }

    @Test
    void everyEndpointNeedsAToken() {
        Http anonymous = new Http(server.baseUrl(), null);
        for (String[] call : new String[][] {
                {"GET", "/api/v1/servers/"}, {"POST", "/api/v1/servers/"}, {"GET", "/api/v1/servers/1/"}, {"PUT", "/api/v1/servers/1/"},
                {"PATCH", "/api/v1/servers/1/"}, {"DELETE", "/api/v1/servers/1/"}, {"POST", "/api/v1/servers/1/start/"},
                {"POST", "/api/v1/servers/1/stop/"}, {"POST", "/api/v1/servers/1/reboot/"}, {"GET", "/api/v1/plans/"},
                {"GET", "/api/v1/os/"}, {"GET", "/api/v1/locations/"}, {"GET", "/api/v1/ssh-keys/"}}) {
            var r = anonymous.send(call[0], call[1], "{}", "application/json");
            assertThat(r.status()).as(call[0] + " " + call[1]).isEqualTo(401);
            assertThat(r.json().get("detail").asText()).isEqualTo("Authentication credentials were not provided.");
            assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        }
        var wrong = new Http(server.baseUrl(), "vpsd_not-a-real-token").get("/api/v1/servers/");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.json().get("detail").asText()).isEqualTo("Invalid token.");
    }

    @Test
    void anotherAccountsServerIsNotFound() {
        Http owner = server.customer();
        Http stranger = server.customer();
        long id = create(owner, "mine-1");
        awaitStatus(owner, id, "active");
        String path = "/api/v1/servers/" + id + "/";
        for (var r : List.of(stranger.get(path), stranger.put(path, "{\"name\":\"x\",\"hostname\":\"x.example.com\",\"backups_enabled\":true}"),
                stranger.patch(path, "{\"name\":\"x\"}"), stranger.delete(path), stranger.post(path + "start/"),
                stranger.post(path + "stop/"), stranger.post(path + "reboot/"), stranger.get("/api/v1/servers/999999999/"))) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.json().toString()).isEqualTo("{\"detail\":\"Not found.\"}");
        }
        assertThat(stranger.get("/api/v1/servers/").json().get("count").asInt()).isZero();
        JsonNode still = owner.get(path).json();
        assertThat(still.get("name").asText()).isEqualTo("mine-1");
        assertThat(still.get("status").asText()).isEqualTo("active");
    }

    @Test
    void createWithoutEnoughCreditIs402AndChangesNothing() {
        Http poor = server.customer(new BigDecimal("0.01"));
        var r = poor.post("/api/v1/servers/", "{\"name\": \"web-1\", \"plan_id\": 1, \"os_id\": 5, \"location\": \"us-west\"}");
        assertThat(r.status()).isEqualTo(402);
        assertThat(r.json().get("detail").asText()).contains("credit");
        assertThat(poor.get("/api/v1/servers/").json().get("count").asInt()).isZero();

        Http exact = server.customer(new BigDecimal("0.03"));
        assertThat(exact.post("/api/v1/servers/", "{\"name\": \"web-1\", \"plan_id\": 1, \"os_id\": 5, \"location\": \"us-west\"}")
                .status()).isEqualTo(201);
        assertThat(exact.post("/api/v1/servers/", "{\"name\": \"web-2\", \"plan_id\": 1, \"os_id\": 5, \"location\": \"us-west\"}")
                .status()).isEqualTo(402);
    }

    @Test
    void validationErrorsNameEachField() {
        Http api = server.customer();
        var r = api.post("/api/v1/servers/", "{\"name\": \"-bad-\", \"plan_id\": 99, \"os_id\": \"5\", \"location\": \"mars\", "
                + "\"hostname\": \"not a host\", \"colour\": \"red\"}");
        assertThat(r.status()).isEqualTo(400);
        JsonNode e = r.json();
        assertThat(keys(e)).contains("name", "plan_id", "os_id", "location", "hostname", "colour");
        assertThat(e.get("plan_id").get(0).asText()).isEqualTo("Invalid pk \"99\" - object does not exist.");
        assertThat(e.get("os_id").get(0).asText()).isEqualTo("A valid integer is required.");
        assertThat(api.post("/api/v1/servers/", "{}").json().get("name").get(0).asText()).isEqualTo("This field is required.");
        var malformed = api.post("/api/v1/servers/", "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().get("detail").asText()).startsWith("JSON parse error");
        assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isZero();
    }

    @Test
    void catalogListsTheDocumentationsPlansImagesAndLocations() {
        Http api = server.customer();
        JsonNode plans = api.get("/api/v1/plans/").json();
        assertThat(plans.get("count").asInt()).isEqualTo(2);
        JsonNode standard = plans.get("results").get(0);
        assertThat(standard.get("id").asInt()).isEqualTo(1);
        assertThat(standard.get("name").asText()).isEqualTo("Standard VPS");
        assertThat(standard.get("vcpus").asInt()).isEqualTo(2);
        assertThat(standard.get("memory").asInt()).isEqualTo(4096);
        assertThat(standard.get("storage").asInt()).isEqualTo(80);
        assertThat(standard.get("bandwidth").asInt()).isEqualTo(2048);
        assertThat(standard.get("price_hourly").decimalValue()).isPositive();
        JsonNode perf = plans.get("results").get(1);
        assertThat(perf.get("name").asText()).isEqualTo("Performance VPS");
        assertThat(List.of(perf.get("vcpus").asInt(), perf.get("memory").asInt(), perf.get("storage").asInt(),
                perf.get("bandwidth").asInt())).containsExactly(4, 8192, 160, 4096);
        JsonNode os = api.get("/api/v1/os/").json();
        assertThat(os.get("results").toString()).isEqualTo("[{\"id\":3,\"name\":\"Debian 12\"},{\"id\":5,\"name\":\"Ubuntu 22.04 LTS\"}]");
        JsonNode locations = api.get("/api/v1/locations/").json();
        List<String> codes = new ArrayList<>();
        locations.get("results").forEach(l -> codes.add(l.get("code").asText()));
        assertThat(codes).containsExactly("us-west", "us-east");
    }
}
