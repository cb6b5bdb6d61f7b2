package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.LedgerEntry;
import org.vpsd.server.domain.Repositories.NewServer;
import org.vpsd.server.domain.Server;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * One account's creates that arrive together are written in one transaction (the account's balance row
 * taken once): each still gets what it would have got alone, in order, and the balance is charged exactly.
 */
class CreateBatchTest {
    private static final BigDecimal PRICE = new BigDecimal("0.03"); // plan 1's hourly price

    @Test
    void ordersOfOneTransactionGetWhatEachWouldHaveGotAloneInTheirOrder() {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer(new BigDecimal("0.13"));
            long account = BillingTest.accountOf(s, api);
            long held = TestServer.create(api, "held"); // 0.10 left
            Instant now = s.app.backend.clock.instant();
            List<NewServer> orders = List.of(
                    order(account, "a", 1, "us-west", now),
                    order(account, "a", 1, "us-west", now),       // the name the order before took
                    order(account, "held", 1, "us-west", now),    // a live server's name
                    order(account, "b", 999, "us-west", now),     // no such plan
                    order(account, "c", 1, "nowhere", now),       // no such location
                    order(account, "d", 1, "us-west", now),
                    order(account, "e", 1, "us-west", now),
                    order(account, "f", 1, "us-west", now));      // 0.01 left: not covered
            List<Optional<Server>> out = s.app.backend.tx.inTransaction(r -> r.servers().createAllIfAllowed(orders));

            assertThat(out).hasSize(orders.size());
            assertThat(out.stream().map(o -> o.map(Server::name).orElse("-")).toList())
                    .containsExactly("a", "-", "-", "-", "-", "d", "e", "-");
            Server a = out.get(0).orElseThrow();
            assertThat(a.accountId()).isEqualTo(account);
            assertThat(a.hostname()).isEqualTo("a.example");
            assertThat(a.locationCode()).isEqualTo("us-west");
            assertThat(a.plan().id()).isEqualTo(1);
            assertThat(a.hourlyPrice()).isEqualByComparingTo(PRICE);

            assertThat(s.app.backend.accounts.account(account).balance()).isEqualByComparingTo("0.01");
            List<LedgerEntry> charges = BillingTest.charges(s, account);
            assertThat(charges.stream().map(LedgerEntry::balanceAfter).map(BigDecimal::stripTrailingZeros).map(BigDecimal::toPlainString))
                    .containsExactly("0.1", "0.07", "0.04", "0.01");
            BillingTest.assertLedgerExact(s, account);

            // Each got its provisioning task and its "created" event.
            for (Optional<Server> created : out) {
                created.ifPresent(c -> {
                    awaitStatus(api, c.id(), "active");
                    assertThat(s.admin.get("/admin/v1/servers/" + c.id()).body()).contains("\"created\"", "Created: ");
                });
            }
            assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isEqualTo(4);
            assertThat(held).isPositive();
        }
    }

    @Test
    void manyCreatesOfOneAccountAtOnceGetExactlyWhatTheBalanceCovers() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer(PRICE.multiply(new BigDecimal(20)));
            long account = BillingTest.accountOf(s, api);
            List<Callable<Http.Response>> calls = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                String body = "{\"name\":\"many-" + i + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"us-west\"}";
                calls.add(() -> api.post("/api/v1/servers/", body));
            }
            List<Http.Response> responses = runAll(calls);

            assertThat(responses.stream().filter(r -> r.status() == 201)).as(responses.toString()).hasSize(20);
            assertThat(responses.stream().filter(r -> r.status() != 201)).allSatisfy(r -> {
                assertThat(r.status()).as(r.toString()).isEqualTo(402);
                assertThat(r.json().get("detail").asText()).startsWith("Insufficient credit");
            });
            assertThat(s.app.backend.accounts.account(account).balance()).isEqualByComparingTo("0");
            BillingTest.assertLedgerExact(s, account);
            assertThat(BillingTest.charges(s, account)).hasSize(20);
            responses.stream().filter(r -> r.status() == 201).forEach(r -> awaitStatus(api, r.json().get("id").asLong(), "active"));
            assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isEqualTo(20);
        }
    }

    @Test
    void createsThatArriveWhileOneWaitsForTheAccountGoTogether() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer(new BigDecimal("10"));
            long account = BillingTest.accountOf(s, api);
            CountDownLatch locked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = Thread.ofVirtual().start(() -> s.app.backend.tx.run(r -> {
                r.accounts().lock(account);
                locked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            locked.await();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Http.Response>> first = List.of(pool.submit(() -> api.post("/api/v1/servers/", body("first"))));
                TestServer.sleep(1000); // the first create now waits in the database for the account's row
                List<Future<Http.Response>> rest = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    String name = "next-" + i;
                    rest.add(pool.submit(() -> api.post("/api/v1/servers/", body(name))));
                }
                TestServer.sleep(1000); // and the others in vpsd, behind it (well under H2's 10 s lock timeout)
                release.countDown();
                holder.join();
                for (Future<Http.Response> f : concat(first, rest)) {
                    assertThat(f.get().status()).as(f.get().toString()).isEqualTo(201);
                }
            }
            // Eleven creates in fewer transactions than creates: the ten that waited went in together.
            String metrics = s.admin.get("/metrics").body();
            assertThat(metric(metrics, "vpsd_server_create_batch_sum")).isEqualTo(11);
            assertThat(metric(metrics, "vpsd_server_create_batch_count")).isLessThan(11);
            assertThat(metric(metrics, "vpsd_server_create_batch_max")).isGreaterThanOrEqualTo(2);
            assertThat(s.app.backend.accounts.account(account).balance()).isEqualByComparingTo(
                    new BigDecimal("10").subtract(PRICE.multiply(new BigDecimal(11))));
            BillingTest.assertLedgerExact(s, account);
        }
    }

    private static NewServer order(long account, String name, long planId, String location, Instant now) {
        return new NewServer(account, name, name + ".example", planId, 5, location, null, false, now, now.plus(Duration.ofHours(1)));
    }

    private static String body(String name) {
        return "{\"name\":\"" + name + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"us-west\"}";
    }

    private static List<Future<Http.Response>> concat(List<Future<Http.Response>> a, List<Future<Http.Response>> b) {
        List<Future<Http.Response>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<Http.Response> runAll(List<Callable<Http.Response>> calls) throws Exception {
        List<Http.Response> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(calls.size())) {
            for (Future<Http.Response> f : pool.invokeAll(calls)) {
                responses.add(f.get());
            }
        }
        return responses;
    }

    private static double metric(String scrape, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(name + " in " + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
