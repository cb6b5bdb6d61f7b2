package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.testing.TestServer.awaitStatus;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Catalogs;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** Addresses come from the location's pools, are never held twice, and return on delete. */
class AddressesTest {
    static long create(Http api, String name, String location) {
        var r = api.post("/api/v1/servers/", "{\"name\":\"" + name + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"" + location + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    @Test
    void concurrentCreatesGetDistinctAddresses() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http a = s.customer();
            Http b = s.customer();
            List<Callable<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Http api = i % 2 == 0 ? a : b;
                String name = "par-" + i;
                calls.add(() -> create(api, name, "us-west"));
            }
            List<Long> ids = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                for (Future<Long> f : pool.invokeAll(calls)) {
                    ids.add(f.get());
                }
            }
            Set<String> v4 = new HashSet<>();
            Set<String> v6 = new HashSet<>();
            for (int i = 0; i < ids.size(); i++) {
                JsonNode d = awaitStatus(i % 2 == 0 ? a : b, ids.get(i), "active");
                assertThat(v4.add(d.get("ip_address").asText())).isTrue();
                assertThat(v6.add(d.get("ipv6_address").asText())).isTrue();
            }
            assertThat(v4).hasSize(40).allMatch(ip -> ip.startsWith("203.0.113.") && !ip.equals("203.0.113.1")
                    && !ip.equals("203.0.113.0") && !ip.equals("203.0.113.255"));
        }
    }

    @Test
    void anExhaustedPoolFailsTheServerVisiblyAndADeleteGivesTheAddressBack() {
        try (TestServer s = TestServer.start()) {
            assertThat(s.admin.put("/admin/v1/catalog/", Catalogs.TINY_POOL).status()).isEqualTo(200);
            Http api = s.customer(new BigDecimal("100"));
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(create(api, "tiny-" + i, "tiny"));
            }
            Set<String> held = new HashSet<>();
            for (long id : ids) {
                held.add(awaitStatus(api, id, "active").get("ip_address").asText());
            }
            assertThat(held).containsExactlyInAnyOrder("192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6");

            long sixth = create(api, "tiny-5", "tiny");
            awaitStatus(api, sixth, "error");
            assertThat(s.admin.get("/admin/v1/servers/" + sixth + "/").json().get("status_detail").asText())
                    .contains("No free IPv4 address");

            String freed = api.get("/api/v1/servers/" + ids.get(2) + "/").json().get("ip_address").asText();
            api.delete("/api/v1/servers/" + ids.get(2) + "/");
            TestServer.await(api, ids.get(2), x -> x == null, Duration.ofSeconds(20));
            long seventh = create(api, "tiny-6", "tiny");
            assertThat(awaitStatus(api, seventh, "active").get("ip_address").asText()).isEqualTo(freed);
            assertThat(s.admin.get("/api/v1/locations/").status()).isEqualTo(403);
        }
    }

    @Test
    void creditForExactlyNServersAdmitsExactlyN() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer(new BigDecimal("0.15"));
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                String name = "credit-" + i;
                calls.add(() -> api.post("/api/v1/servers/",
                        "{\"name\":\"" + name + "\",\"plan_id\":1,\"os_id\":5,\"location\":\"us-west\"}").status());
            }
            List<Integer> codes = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
                for (Future<Integer> f : pool.invokeAll(calls)) {
                    codes.add(f.get());
                }
            }
            assertThat(codes.stream().filter(c -> c == 201)).hasSize(5);
            assertThat(codes.stream().filter(c -> c == 402)).hasSize(25);
            assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isEqualTo(5);
            var accounts = s.admin.get("/admin/v1/accounts/?page_size=500").json().get("results");
            accounts.forEach(acc -> assertThat(acc.get("balance").decimalValue().signum()).isGreaterThanOrEqualTo(0));
        }
    }
}
