package org.vpsd.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.vpsd.client.Wire;

/** A small HTTP client for tests: real requests to a started vpsd, bodies as text and as JSON. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String token;

    public Http(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public Http as(String otherToken) {
        return new Http(base, otherToken);
    }

    public String base() {
        return base;
    }

    public String token() {
        return token;
    }

    /** A response: status, headers, body. */
    public record Response(int status, Map<String, List<String>> headers, String body) {
        public JsonNode json() {
            try {
                return Wire.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("Not JSON (status " + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Response get(String path) {
        return send("GET", path, null, "application/json");
    }

    public Response post(String path, String json) {
        return send("POST", path, json, "application/json");
    }

    public Response post(String path) {
        return send("POST", path, null, "application/json");
    }

    public Response put(String path, String json) {
        return send("PUT", path, json, "application/json");
    }

    public Response patch(String path, String json) {
        return send("PATCH", path, json, "application/json");
    }

    public Response delete(String path) {
        return send("DELETE", path, null, "application/json");
    }

    public Response send(String method, String path, String body, String contentType) {
        return send(method, path, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), contentType,
                token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    public Response send(String method, String path, byte[] body, String contentType, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
