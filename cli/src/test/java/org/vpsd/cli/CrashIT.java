package org.vpsd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;

/**
 * A real vpsd process killed with SIGKILL while it provisions, powers, deletes and bills, then
 * started again on the same database: every server reaches the status it was asked for, no
 * address is held twice, no machine is left over or missing, and the ledger holds each hour of
 * each server exactly once.
 */
class CrashIT {
    private static final List<String> OPTIONS = List.of("--sim-time-scale", "10", "--billing-period", "PT1S",
            "--reconcile-interval", "PT2S", "--lease", "PT3S");

    @TempDir
    Path tmp;

    private List<String> options(TestDatabase db) {
        List<String> args = new ArrayList<>(OPTIONS);
        args.addAll(VpsdProcess.databaseArgs(db.url()));
        return args;
    }

    @Test
    void killedMidWayEveryServerConvergesAndTheLedgerIsExact() {
        Path data = tmp.resolve("data");
        TestDatabase db = TestDatabase.create(data);
        VpsdProcess vpsd = VpsdProcess.serve(data, options(db));
        try {
            Http admin = new Http(vpsd.baseUrl(), vpsd.adminToken());
            JsonNode account = admin.post("/admin/v1/accounts/", "{\"name\": \"crash\", \"credit\": 100}").json();
            String token = account.get("token").asText();
            long accountId = account.get("id").asLong();

            // 1. Twelve servers provisioning (12 to 30 s at 10x) when the process dies.
            Http api = new Http(vpsd.baseUrl(), token);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                String location = i % 3 == 0 ? "us-east" : "us-west";
                var r = api.post("/api/v1/servers/", "{\"name\": \"crash-" + i + "\", \"plan_id\": 1, \"os_id\": 5, \"location\": \""
                        + location + "\"}");
                assertThat(r.status()).isEqualTo(201);
                ids.add(r.json().get("id").asLong());
            }
            // Killed the moment the last create was acknowledged: every acknowledged create must be there.
            vpsd.kill();

            vpsd = VpsdProcess.serve(data, options(db));
            api = new Http(vpsd.baseUrl(), token);
            for (long id : ids) {
                assertThat(api.get("/api/v1/servers/" + id + "/").status()).as("acknowledged create " + id).isEqualTo(200);
            }
            sleep(1_500);
            vpsd.kill();

            vpsd = VpsdProcess.serve(data, options(db));
            api = new Http(vpsd.baseUrl(), token);
            for (long id : ids) {
                await(api, id, status("active"), Duration.ofSeconds(120));
            }

            // 2. Power actions under way when it dies again.
            Map<Long, String> expected = new HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                long id = ids.get(i);
                String action = i < 4 ? "stop" : i < 8 ? "reboot" : null;
                if (action != null) {
                    assertThat(api.post("/api/v1/servers/" + id + "/" + action + "/").status()).isEqualTo(200);
                }
                expected.put(id, i < 4 ? "stopped" : "active");
            }
            sleep(300);
            vpsd.kill();

            vpsd = VpsdProcess.serve(data, options(db));
            api = new Http(vpsd.baseUrl(), token);
            for (long id : ids) {
                await(api, id, status(expected.get(id)), Duration.ofSeconds(120));
            }

            // 3. Deletions under way when it dies a third time.
            List<Long> deleted = List.of(ids.get(0), ids.get(5), ids.get(11));
            for (long id : deleted) {
                assertThat(api.delete("/api/v1/servers/" + id + "/").status()).isEqualTo(204);
            }
            sleep(100);
            vpsd.kill();

            vpsd = VpsdProcess.serve(data, options(db));
            api = new Http(vpsd.baseUrl(), token);
            admin = new Http(vpsd.baseUrl(), null);
            for (long id : deleted) {
                await(api, id, x -> x == null, Duration.ofSeconds(120));
            }
            List<Long> live = ids.stream().filter(id -> !deleted.contains(id)).toList();
            for (long id : live) {
                await(api, id, status(expected.get(id)), Duration.ofSeconds(60));
            }

            // Addresses: every live server holds its own.
            Set<String> v4 = new HashSet<>();
            Set<String> v6 = new HashSet<>();
            for (long id : live) {
                JsonNode s = api.get("/api/v1/servers/" + id + "/").json();
                assertThat(v4.add(s.get("ip_address").asText())).as("IPv4 of " + id).isTrue();
                assertThat(v6.add(s.get("ipv6_address").asText())).as("IPv6 of " + id).isTrue();
            }

            // Machines: none left over, none missing (the reconciler runs every 2 s).
            String adminToken = newAdminToken(data, db);
            admin = new Http(vpsd.baseUrl(), adminToken);
            sleep(4_500);
            assertThat(admin.get("/admin/v1/unknown-machines/").json().get("count").asInt()).isZero();
            for (long id : live) {
                assertThat(api.get("/api/v1/servers/" + id + "/").json().get("status").asText()).isEqualTo(expected.get(id));
            }

            // Ledger: each hour of each server once, contiguous from hour 0, and the balance is their sum.
            // Billing goes on meanwhile: read the ledger and the balance until a read of both falls between two charges.
            JsonNode ledger;
            BigDecimal balance;
            while (true) {
                ledger = admin.get("/admin/v1/accounts/" + accountId + "/ledger/?limit=1000").json().get("results");
                balance = admin.get("/admin/v1/accounts/" + accountId + "/").json().get("balance").decimalValue();
                JsonNode again = admin.get("/admin/v1/accounts/" + accountId + "/ledger/?limit=1000").json().get("results");
                if (again.size() == ledger.size()) {
                    break;
                }
            }
            Map<Long, Set<Integer>> periods = new HashMap<>();
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode e : ledger) {
                sum = sum.add(e.get("amount").decimalValue());
                if (e.get("kind").asText().equals("charge")) {
                    assertThat(periods.computeIfAbsent(e.get("server_id").asLong(), k -> new HashSet<>()).add(e.get("period").asInt()))
                            .as("hour charged twice: " + e).isTrue();
                }
            }
            assertThat(periods.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            for (var entry : periods.entrySet()) {
                int n = entry.getValue().size();
                for (int p = 0; p < n; p++) {
                    assertThat(entry.getValue()).as("server " + entry.getKey()).contains(p);
                }
            }
            assertThat(balance).isEqualByComparingTo(sum);
            assertThat(ledger.get(ledger.size() - 1).get("balance_after").decimalValue()).isEqualByComparingTo(sum);
            for (long id : live) {
                Instant created = Instant.parse(api.get("/api/v1/servers/" + id + "/").json().get("created_at").asText());
                long due = Duration.between(created, Instant.now()).toSeconds() + 1;
                assertThat((long) periods.get(id).size()).as("hours charged for server " + id).isBetween(due - 3, due + 1);
            }
        } finally {
            vpsd.kill();
            db.drop();
        }
    }

    private static String newAdminToken(Path data, TestDatabase db) {
        List<String> args = new ArrayList<>(List.of("admin-tokens", "create", "--data", data.toString()));
        args.addAll(VpsdProcess.databaseArgs(db.url()));
        VpsdProcess.Result r = VpsdProcess.run(args);
        assertThat(r.exit()).as(r.stderr()).isZero();
        return r.lastLine();
    }

    private static Predicate<JsonNode> status(String status) {
        return s -> s != null && s.get("status").asText().equals(status);
    }

    private static JsonNode await(Http api, long id, Predicate<JsonNode> until, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        JsonNode last = null;
        while (Instant.now().isBefore(end)) {
            var r = api.get("/api/v1/servers/" + id + "/");
            last = r.status() == 200 ? r.json() : null;
            if ((r.status() == 200 || r.status() == 404) && until.test(last)) {
                return last;
            }
            sleep(200);
        }
        throw new AssertionError("server " + id + " did not converge within " + timeout + "; last: " + last);
    }

    private static void sleep(long millis) {
        VpsdProcess.sleep(millis);
    }
}
