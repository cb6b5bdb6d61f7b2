package org.vpsd.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vpsd.client.VpsdClient;
import org.vpsd.client.wire.CreateServer;
import org.vpsd.server.testing.TestServer;

/** The Java client reads and writes the wire types against a real vpsd. */
class JavaClientTest {
    @Test
    void theClientDrivesAServerThroughItsLife() {
        try (TestServer s = TestServer.start()) {
            var vpsd = new VpsdClient(URI.create(s.baseUrl()), s.customer().token());
            assertThat(vpsd.plans().results()).extracting(p -> p.name()).containsExactly("Standard VPS", "Performance VPS");
            var created = vpsd.createServer(new CreateServer("java-1", 1L, 5L, "us-west", "java1.example.com", null, true));
            assertThat(created.status()).isEqualTo("provisioning");
            assertThat(created.message()).startsWith("Server is being provisioned");
            TestServer.sleep(100);
            var detail = vpsd.server(created.id());
            for (int i = 0; i < 200 && !detail.status().equals("active"); i++) {
                TestServer.sleep(50);
                detail = vpsd.server(created.id());
            }
            assertThat(detail.status()).isEqualTo("active");
            assertThat(detail.ipAddress()).startsWith("203.0.113.");
            assertThat(detail.plan().bandwidth()).isEqualTo(2048);
            assertThat(vpsd.updateServer(created.id(), Map.of("name", "java-2")).name()).isEqualTo("java-2");
            assertThat(vpsd.listServers(VpsdClient.ServerQuery.ALL).count()).isEqualTo(1);
            assertThat(vpsd.stop(created.id()).server().status()).isEqualTo("stopping");
            assertThatThrownBy(() -> vpsd.server(999_999)).isInstanceOfSatisfying(VpsdClient.ApiException.class,
                    e -> assertThat(e.status()).isEqualTo(404));
            vpsd.deleteServer(created.id());
        }
    }
}
