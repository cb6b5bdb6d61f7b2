package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;
import static org.vpsd.server.testing.TestServer.create;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.LedgerEntry;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * Prepaid credit: the first hour is charged at creation, every later hour once, missed hours are
 * caught up, and an exhausted balance suspends the account's servers. The billing period is one
 * second here, so that hours pass quickly.
 */
class BillingTest {
    static final BigDecimal PRICE = new BigDecimal("0.03");

    static TestServer start() {
        return TestServer.start(c -> c.withBillingPeriod(Duration.ofSeconds(1)));
    }

    static long accountOf(TestServer s, Http api) {
        return s.app.backend.accounts.authenticate(api.token()).orElseThrow().accountId();
    }

    static List<LedgerEntry> charges(TestServer s, long account) {
        return s.app.backend.accounts.ledger(account, 0, 10_000).stream().filter(e -> e.kind().equals("charge")).toList();
    }

    /** Each (server, period) at most once, periods of a server contiguous from 0, balance = credits + charges. */
    static void assertLedgerExact(TestServer s, long account) {
        var entries = s.app.backend.accounts.ledger(account, 0, 100_000);
        Set<String> seen = new HashSet<>();
        BigDecimal sum = BigDecimal.ZERO;
        for (LedgerEntry e : entries) {
            sum = sum.add(e.amount());
            if (e.kind().equals("charge")) {
                assertThat(seen.add(e.serverId() + "/" + e.period())).as("charged twice: " + e).isTrue();
            }
        }
        for (String key : seen) {
            String[] parts = key.split("/");
            for (int p = 0; p < Integer.parseInt(parts[1]); p++) {
                assertThat(seen).contains(parts[0] + "/" + p);
            }
        }
        assertThat(s.app.backend.accounts.account(account).balance()).isEqualByComparingTo(sum);
    }

    @Test
    void theFirstHourIsChargedAtCreationAndEachHourOnceAfter() {
        try (TestServer s = start()) {
            Http api = s.customer(new BigDecimal("10"));
            long account = accountOf(s, api);
            long id = create(api, "billed-1");
            Instant created = Instant.now();
            var first = charges(s, account);
            assertThat(first).hasSize(1);
            assertThat(first.get(0).period()).isZero();
            assertThat(first.get(0).amount()).isEqualByComparingTo(PRICE.negate());
            TestServer.sleep(3_500);
            var later = charges(s, account);
            long expected = Duration.between(created, Instant.now()).toMillis() / 1000 + 1;
            assertThat((long) later.size()).isBetween(expected - 2, expected);
            assertThat(later).allMatch(c -> c.serverId() == id);
            assertLedgerExact(s, account);
            assertThat(s.app.backend.accounts.account(account).balance())
                    .isEqualByComparingTo(new BigDecimal("10").subtract(PRICE.multiply(BigDecimal.valueOf(later.size()))));
        }
    }

    @Test
    void aDeletedServerIsNoLongerCharged() {
        try (TestServer s = start()) {
            Http api = s.customer(new BigDecimal("10"));
            long account = accountOf(s, api);
            long id = create(api, "short-1");
            awaitStatus(api, id, "active");
            TestServer.sleep(1_200);
            api.delete("/api/v1/servers/" + id + "/");
            TestServer.await(api, id, x -> x == null, Duration.ofSeconds(20));
            TestServer.sleep(1_500);
            int afterDelete = charges(s, account).size();
            TestServer.sleep(2_500);
            assertThat(charges(s, account)).hasSize(afterDelete);
            assertThat(afterDelete).isBetween(2, 5);
            assertLedgerExact(s, account);
        }
    }

    @Test
    void anExhaustedBalanceSuspendsAndCreditLiftsTheSuspension() {
        try (TestServer s = start()) {
            Http api = s.customer(new BigDecimal("0.09"));
            long account = accountOf(s, api);
            long id = create(api, "poor-1");
            JsonNode suspended = TestServer.await(api, id, x -> x != null && x.get("status").asText().equals("suspended"),
                    Duration.ofSeconds(30));
            assertThat(suspended.get("resource_usage").get("cpu_percent").asDouble()).isZero();
            assertThat(s.app.backend.accounts.account(account).suspended()).isTrue();
            assertThat(s.app.backend.accounts.account(account).balance().signum()).isLessThanOrEqualTo(0);
            var refused = api.post("/api/v1/servers/" + id + "/start/");
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.json().get("detail").asText()).isEqualTo("Server is suspended");
            assertThat(api.post("/api/v1/servers/", "{\"name\":\"more\",\"plan_id\":1,\"os_id\":5,\"location\":\"us-west\"}").status())
                    .isEqualTo(402);

            var credited = s.admin.post("/admin/v1/accounts/" + account + "/credit/", "{\"amount\": 5, \"note\": \"top-up\"}");
            assertThat(credited.status()).isEqualTo(200);
            assertThat(credited.json().get("suspended").asBoolean()).isFalse();
            awaitStatus(api, id, "stopped");
            assertThat(api.post("/api/v1/servers/" + id + "/start/").status()).isEqualTo(200);
            awaitStatus(api, id, "active");
            assertLedgerExact(s, account);
        }
    }

    @Test
    void hoursMissedWhileVpsdWasDownAreCaughtUpExactlyOnce() {
        TestServer s = start();
        try {
            Http api = s.customer(new BigDecimal("10"));
            long account = accountOf(s, api);
            long id = create(api, "catchup-1");
            Instant created = s.app.backend.tx.read(r -> r.servers().find(id)).orElseThrow().createdAt();
            awaitStatus(api, id, "active");
            s.app.close();
            TestServer.sleep(3_200);
            s = s.restart(c -> c);
            TestServer.sleep(600);
            long due = Duration.between(created, Instant.now()).toMillis() / 1000 + 1;
            assertThat((long) charges(s, account).size()).isBetween(due - 1, due);
            assertLedgerExact(s, account);
        } finally {
            s.close();
        }
    }
}
