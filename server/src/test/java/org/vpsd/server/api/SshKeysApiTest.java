package org.vpsd.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/** {@code /api/v1/ssh-keys/} and installing a key with {@code ssh_key_id}. */
class SshKeysApiTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String key(String file) {
        try (InputStream in = SshKeysApiTest.class.getResourceAsStream("/sshkeys/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String body(String name, String publicKey) {
        var o = JsonNodeFactory.instance.objectNode();
        if (name != null) {
            o.put("name", name);
        }
        o.put("public_key", publicKey);
        return o.toString();
    }

    @Test
    void keysAreParsedFingerprintedListedAndDeleted() {
        Http api = server.customer();
        var created = api.post("/api/v1/ssh-keys/", body("laptop", key("ed25519.pub")));
        assertThat(created.status()).isEqualTo(201);
        long id = created.json().get("id").asLong();
        assertThat(created.json().get("name").asText()).isEqualTo("laptop");
        assertThat(created.json().get("fingerprint").asText()).startsWith("SHA256:");
        assertThat(created.json().get("public_key").asText()).startsWith("ssh-ed25519 AAAA");

        var rsa = api.post("/api/v1/ssh-keys/", body(null, key("rsa4096.pub")));
        assertThat(rsa.status()).isEqualTo(201);
        assertThat(api.get("/api/v1/ssh-keys/").json().get("count").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/ssh-keys/" + id + "/").json().get("fingerprint").asText())
                .isEqualTo(created.json().get("fingerprint").asText());

        var dup = api.post("/api/v1/ssh-keys/", body("again", key("ed25519.pub")));
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.json().get("public_key").get(0).asText()).contains("already");

        assertThat(api.delete("/api/v1/ssh-keys/" + id + "/").status()).isEqualTo(204);
        assertThat(api.get("/api/v1/ssh-keys/" + id + "/").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/ssh-keys/").json().get("count").asInt()).isEqualTo(1);
    }

    @Test
    void garbageAndWeakKeysAre400() {
        Http api = server.customer();
        for (String bad : new String[] {"not a key", "ssh-ed25519 AAAAnotbase64!!", key("rsa1024.pub"), key("dsa.pub"),
                key("rsa2048.pkcs8.pem"), ""}) {
            var r = api.post("/api/v1/ssh-keys/", body("k", bad));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("public_key").isArray()).isTrue();
        }
        assertThat(api.post("/api/v1/ssh-keys/", "{\"name\": \"k\"}").json().get("public_key").get(0).asText())
                .isEqualTo("This field is required.");
        assertThat(api.get("/api/v1/ssh-keys/").json().get("count").asInt()).isZero();
    }

    @Test
    void aServerTakesAKeyOfItsOwnAccountOnly() {
        Http owner = server.customer();
        Http other = server.customer();
        long keyId = owner.post("/api/v1/ssh-keys/", body("mine", key("ecdsa256.pub"))).json().get("id").asLong();
        var ok = owner.post("/api/v1/servers/", "{\"name\": \"k1\", \"plan_id\": 1, \"os_id\": 3, \"location\": \"us-west\", "
                + "\"ssh_key_id\": " + keyId + "}");
        assertThat(ok.status()).isEqualTo(201);
        var foreign = other.post("/api/v1/servers/", "{\"name\": \"k1\", \"plan_id\": 1, \"os_id\": 3, \"location\": \"us-west\", "
                + "\"ssh_key_id\": " + keyId + "}");
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.json().get("ssh_key_id").get(0).asText()).isEqualTo("Invalid pk \"" + keyId + "\" - object does not exist.");
        assertThat(other.get("/api/v1/ssh-keys/" + keyId + "/").status()).isEqualTo(404);
        assertThat(other.delete("/api/v1/ssh-keys/" + keyId + "/").status()).isEqualTo(404);
    }
}
