package org.vpsd.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * The fixture the bad requests of {@link BadInputTest} are sent against, and its snapshot.
 *
 * <p>A <em>live</em> world runs the engine: account A (servers active, stopped and in error, an SSH
 * key, a revoked and a spare token), account B (a server and a key: "not yours"), account P (too
 * little credit for a server), an admin token and a revoked one, a harmless simulator fault. Every
 * server is in a resting status, so that a snapshot taken before a request must equal the one
 * taken after it. When a request did change something, the world is marked dirty; the next case
 * lets the old servers settle and builds a fresh world, so that one bug does not spoil later cases.
 *
 * <p>A <em>frozen</em> world is another vpsd whose engine and periodic jobs are stopped after its
 * setup, so that servers stay in transitional statuses: provisioning, stopping and deleting.
 */
final class BadInputWorld {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger GENERATION = new AtomicInteger();
    private static final Set<String> TRANSITIONAL = Set.of("provisioning", "starting", "stopping", "rebooting", "deleting");

    final TestServer server;
    final boolean frozen;
    /** The values of the placeholders ({@code $active}, {@code $token}, ...). */
    final Map<String, String> vars = new LinkedHashMap<>();
    /** The accounts whose servers, keys, tokens and ledger the snapshot includes, with a token of each. */
    private final Map<Long, String> accounts = new LinkedHashMap<>();
    private final Http admin;
    private final String adminToken;
    private Map<String, String> baseline;
    private boolean dirty;

    private BadInputWorld(TestServer server, boolean frozen) {
        this.server = server;
        this.frozen = frozen;
        this.adminToken = server.app.backend.accounts.issueToken(null, "bad-input-admin").token();
        this.admin = new Http(server.baseUrl(), adminToken);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    /** A live world on {@code server}. */
    static BadInputWorld live(TestServer server) {
        BadInputWorld w = new BadInputWorld(server, false);
        w.buildLive();
        return w;
    }

    /** A frozen world: its server's engine and jobs are stopped once the fixture is in place. */
    static BadInputWorld frozen(TestServer server) {
        BadInputWorld w = new BadInputWorld(server, true);
        w.buildFrozen();
        return w;
    }

    // ------------------------------------------------------------------ building

    private void buildLive() {
        int g = GENERATION.incrementAndGet();
        vars.clear();
        accounts.clear();
        vars.put("admin", adminToken);
        vars.put("missing", "999999999");

        JsonNode a = ok(admin.post("/admin/v1/accounts/", "{\"name\":\"bad-input-a-" + g + "\",\"credit\":\"1000\"}"), 201);
        JsonNode b = ok(admin.post("/admin/v1/accounts/", "{\"name\":\"bad-input-b-" + g + "\",\"credit\":\"1000\"}"), 201);
        JsonNode p = ok(admin.post("/admin/v1/accounts/", "{\"name\":\"bad-input-p-" + g + "\",\"credit\":\"0.01\"}"), 201);
        Http apiA = new Http(baseUrl(), a.get("token").asText());
        Http apiB = new Http(baseUrl(), b.get("token").asText());
        vars.put("account", a.get("id").asText());
        vars.put("accountName", a.get("name").asText());
        vars.put("token", a.get("token").asText());
        vars.put("otherAccount", b.get("id").asText());
        vars.put("otherToken", b.get("token").asText());
        vars.put("poorAccount", p.get("id").asText());
        vars.put("poorToken", p.get("token").asText());
        accounts.put(a.get("id").asLong(), a.get("token").asText());
        accounts.put(b.get("id").asLong(), b.get("token").asText());
        accounts.put(p.get("id").asLong(), p.get("token").asText());

        // Tokens: a spare live one (the target of token-revoking requests) and a revoked one, found by listing.
        ok(admin.post("/admin/v1/accounts/" + vars.get("account") + "/tokens/", "{\"name\":\"spare\"}"), 201);
        String revoked = ok(admin.post("/admin/v1/accounts/" + vars.get("account") + "/tokens/", "{\"name\":\"to-revoke\"}"), 201)
                .get("token").asText();
        for (JsonNode t : ok(admin.get("/admin/v1/accounts/" + vars.get("account") + "/tokens/"), 200).get("results")) {
            switch (t.get("name").asText()) {
                case "spare" -> vars.put("spareToken", t.get("id").asText());
                case "to-revoke" -> {
                    vars.put("revokedTokenId", t.get("id").asText());
                    ok(admin.delete("/admin/v1/tokens/" + t.get("id").asText() + "/"), 204);
                }
                default -> { }
            }
        }
        vars.put("revoked", revoked);
        JsonNode adminToken = ok(admin.post("/admin/v1/admin-tokens/", "{\"name\":\"bad-input-revoked-" + g + "\"}"), 201);
        ok(admin.delete("/admin/v1/tokens/" + adminToken.get("id").asText() + "/"), 204);
        vars.put("revokedAdmin", adminToken.get("token").asText());

        String keyText = BadInputKeys.ed25519("a-key@bad-input");
        vars.put("keyText", keyText);
        vars.put("key", ok(apiA.post("/api/v1/ssh-keys/", "{\"name\":\"a-key\",\"public_key\":\"" + keyText + "\"}"), 201)
                .get("id").asText());
        vars.put("otherKey", ok(apiB.post("/api/v1/ssh-keys/", "{\"name\":\"b-key\",\"public_key\":\""
                + BadInputKeys.ed25519("b-key@bad-input") + "\"}"), 201).get("id").asText());

        long active = ok(apiA.post("/api/v1/servers/", "{\"name\":\"bi-active\",\"hostname\":\"bi-active.example.com\",\"plan_id\":1,"
                + "\"os_id\":5,\"location\":\"us-west\",\"ssh_key_id\":" + vars.get("key") + "}"), 201).get("id").asLong();
        // One at a time: concurrent provisioning in one location can fail to get an address on H2 (see the report).
        TestServer.awaitStatus(apiA, active, "active");
        long stopped = TestServer.create(apiA, "bi-stopped");
        TestServer.awaitStatus(apiA, stopped, "active");
        long other = TestServer.create(apiB, "bi-other");
        TestServer.awaitStatus(apiB, other, "active");
        ok(apiA.post("/api/v1/servers/" + stopped + "/stop/"), 200);
        TestServer.awaitStatus(apiA, stopped, "stopped");

        // A server in error: its machine cannot be created.
        ok(admin.put("/admin/v1/simulator/faults/create", "{\"failure_rate\":1,\"message\":\"bad-input: no machine\"}"), 200);
        long error = TestServer.create(apiA, "bi-error");
        TestServer.await(apiA, error, s -> s != null && "error".equals(s.get("status").asText()), Duration.ofSeconds(60));
        ok(admin.delete("/admin/v1/simulator/faults/"), 204);
        // A harmless fault, so that a request clearing the faults is seen.
        ok(admin.put("/admin/v1/simulator/faults/usage", "{\"fail_next\":0,\"failure_rate\":0,\"message\":\"bad-input baseline\"}"),
                200);

        vars.put("active", Long.toString(active));
        vars.put("activeName", "bi-active");
        vars.put("stopped", Long.toString(stopped));
        vars.put("stoppedName", "bi-stopped");
        vars.put("error", Long.toString(error));
        vars.put("other", Long.toString(other));
        dirty = false;
        baseline = snapshot();
    }

    private void buildFrozen() {
        vars.put("fAdmin", adminToken);
        JsonNode f = ok(admin.post("/admin/v1/accounts/", "{\"name\":\"bad-input-frozen\",\"credit\":\"1000\"}"), 201);
        Http api = new Http(baseUrl(), f.get("token").asText());
        vars.put("fToken", f.get("token").asText());
        vars.put("fAccount", f.get("id").asText());
        accounts.put(f.get("id").asLong(), f.get("token").asText());
        long deleting = TestServer.create(api, "f-deleting");
        TestServer.awaitStatus(api, deleting, "active");
        long stopping = TestServer.create(api, "f-stopping");
        TestServer.awaitStatus(api, stopping, "active");

        server.app.jobs.close();
        server.app.engine.close();

        ok(api.delete("/api/v1/servers/" + deleting + "/"), 204);
        ok(api.post("/api/v1/servers/" + stopping + "/stop/"), 200);
        long provisioning = TestServer.create(api, "f-provisioning");
        vars.put("fDeleting", Long.toString(deleting));
        vars.put("fStopping", Long.toString(stopping));
        vars.put("fProv", Long.toString(provisioning));
        baseline = snapshot();
        expectStatus(api, deleting, "deleting");
        expectStatus(api, stopping, "stopping");
        expectStatus(api, provisioning, "provisioning");
    }

    private static void expectStatus(Http api, long id, String status) {
        String actual = ok(api.get("/api/v1/servers/" + id + "/"), 200).get("status").asText();
        if (!actual.equals(status)) {
            throw new IllegalStateException("frozen fixture server " + id + " is " + actual + ", not " + status);
        }
    }

    // ------------------------------------------------------------------ keeping it clean

    void markDirty() {
        dirty = true;
    }

    /**
     * The snapshot to compare a request's effect against. In a live world that changed since it
     * was built (a previous request was wrongly accepted, or had an effect later), the old servers
     * are let settle and a fresh world is built first.
     */
    Map<String, String> cleanSnapshot() {
        Map<String, String> now = snapshot();
        if (!dirty && now.equals(baseline)) {
            return now;
        }
        if (frozen) {
            // Nothing to rebuild from: the engine is stopped. Later frozen cases compare against what is there now.
            baseline = now;
            dirty = false;
            return now;
        }
        settle();
        buildLive();
        return baseline;
    }

    /** Waits until no server of this vpsd is in a transitional status (a wrongly accepted action finishing). */
    private void settle() {
        Instant end = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(end)) {
            boolean busy = false;
            for (String status : TRANSITIONAL) {
                busy |= ok(admin.get("/admin/v1/servers/?status=" + status), 200).get("count").asLong() > 0;
            }
            if (!busy) {
                return;
            }
            TestServer.sleep(50);
        }
    }

    // ------------------------------------------------------------------ snapshot

    /**
     * Everything a bad request could change, as canonical JSON text by name: all accounts (balances,
     * suspension), all servers (as the provider sees them), all tokens, the catalog, the
     * simulator's faults; and for each fixture account its ledger, tokens, SSH keys and servers
     * (with {@code backups_enabled}, which only the detail shows; {@code resource_usage} left out as it
     * moves by itself).
     */
    Map<String, String> snapshot() {
        Map<String, String> snap = new TreeMap<>();
        snap.put("accounts", text(ok(admin.get("/admin/v1/accounts/?page_size=500"), 200).get("results")));
        // Every token, admin ones included, from the database: GET /admin/v1/admin-tokens/ answers 500 (see the report).
        snap.put("tokens", server.app.backend.database.jdbi().withHandle(h -> h.createQuery(
                "SELECT id, account_id, name, hint, created_at, revoked_at FROM api_tokens ORDER BY id").mapToMap().list()).toString());
        JsonNode catalog = ok(admin.get("/admin/v1/catalog/"), 200);
        snap.put("catalog", text(catalog));
        for (JsonNode l : catalog.get("locations")) {
            // Every server, by location: the unfiltered GET /admin/v1/servers/ answers 500 (see the report).
            String code = l.get("code").asText();
            snap.put("servers in " + code, text(ok(admin.get("/admin/v1/servers/?page_size=500&location=" + code), 200).get("results")));
        }
        snap.put("simulator", text(ok(admin.get("/admin/v1/simulator/"), 200)));
        for (var e : accounts.entrySet()) {
            long id = e.getKey();
            Http api = new Http(baseUrl(), e.getValue());
            snap.put("account " + id, text(ok(admin.get("/admin/v1/accounts/" + id + "/"), 200)));
            snap.put("account " + id + " ledger", text(ok(admin.get("/admin/v1/accounts/" + id + "/ledger/?limit=1000"), 200)));
            snap.put("account " + id + " tokens", text(ok(admin.get("/admin/v1/accounts/" + id + "/tokens/"), 200)));
            snap.put("account " + id + " ssh-keys", text(ok(api.get("/api/v1/ssh-keys/?page_size=500"), 200)));
            JsonNode list = ok(api.get("/api/v1/servers/?page_size=500"), 200);
            snap.put("account " + id + " servers", text(list));
            for (JsonNode s : list.get("results")) {
                Http.Response r = api.get("/api/v1/servers/" + s.get("id").asText() + "/");
                String key = "account " + id + " server " + s.get("id").asText();
                if (r.status() == 404) {
                    snap.put(key, "(deleted while the snapshot was taken)");
                    continue;
                }
                ObjectNode detail = (ObjectNode) ok(r, 200);
                detail.remove("resource_usage");
                snap.put(key, text(detail));
            }
        }
        return snap;
    }

    /** What differs between two snapshots, for a failure message. */
    static List<String> diff(Map<String, String> before, Map<String, String> after) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        for (String k : keys) {
            String b = before.get(k);
            String a = after.get(k);
            if (b == null || a == null || !b.equals(a)) {
                out.add(k + ":\n      before: " + clip(b) + "\n      after:  " + clip(a));
            }
        }
        return out;
    }

    private static String clip(String s) {
        return s == null ? "(absent)" : s.length() > 1500 ? s.substring(0, 1500) + "..." : s;
    }

    /** The current catalog document, for requests that change one detail of it. */
    ObjectNode catalog() {
        return (ObjectNode) ok(admin.get("/admin/v1/catalog/"), 200);
    }

    private static String text(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode ok(Http.Response r, int status) {
        if (r.status() != status) {
            throw new IllegalStateException("fixture request failed: expected " + status + ", got " + r);
        }
        return r.status() == 204 ? JSON.createObjectNode() : r.json();
    }
}
