package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.LedgerEntry;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** Concurrent creates of one name: one server, one charge; the others are told the name is taken and pay nothing. */
class CreateRaceTest {
    @Test
    void concurrentCreatesOfOneNameMakeOneServerAndOneCharge() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer(new BigDecimal("10"));
            long account = BillingTest.accountOf(s, api);
            for (int round = 0; round < 5; round++) {
                String name = "same-" + round;
                List<Callable<Http.Response>> calls = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    calls.add(() -> api.post("/api/v1/servers/", "{\"name\":\"" + name + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"us-west\"}"));
                }
                List<Http.Response> responses = new ArrayList<>();
                try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                    for (Future<Http.Response> f : pool.invokeAll(calls)) {
                        responses.add(f.get());
                    }
                }
                assertThat(responses.stream().filter(r -> r.status() == 201)).as(responses.toString()).hasSize(1);
                assertThat(responses.stream().filter(r -> r.status() != 201)).allSatisfy(r -> {
                    assertThat(r.status()).as(r.toString()).isEqualTo(400);
                    assertThat(r.json().get("name").get(0).asText()).isEqualTo("A server with this name already exists.");
                });
            }
            assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isEqualTo(5);
            List<LedgerEntry> charges = s.app.backend.accounts.ledger(account, 0, 1000).stream()
                    .filter(e -> e.kind().equals("charge")).toList();
            assertThat(charges).hasSize(5);
            assertThat(s.app.backend.accounts.account(account).balance()).isEqualByComparingTo(new BigDecimal("9.85"));
            BillingTest.assertLedgerExact(s, account);
        }
    }
}
