package org.vpsd.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vpsd.client.wire.ActionResult;
import org.vpsd.client.wire.CreateServer;
import org.vpsd.client.wire.Location;
import org.vpsd.client.wire.OperatingSystem;
import org.vpsd.client.wire.Page;
import org.vpsd.client.wire.Plan;
import org.vpsd.client.wire.ServerCreated;
import org.vpsd.client.wire.ServerDetail;
import org.vpsd.client.wire.ServerSummary;
import org.vpsd.client.wire.SshKey;

/**
 * A small client of the Servers API: one method per documented endpoint, plus the catalog and SSH
 * keys. Errors become {@link ApiException} with the status and the error body.
 *
 * <pre>{@code
 * var vpsd = new VpsdClient(URI.create("http://127.0.0.1:8080"), System.getenv("VPSD_TOKEN"));
 * var created = vpsd.createServer(new CreateServer("web-1", 1L, 5L, "us-west", null, null, false));
 * var detail = vpsd.server(created.id());
 * }</pre>
 */
public final class VpsdClient {
    private final URI base;
    private final String token;
    private final HttpClient http;
    private final ObjectMapper json = Wire.mapper();

    public VpsdClient(URI base, String token) {
        this(base, token, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    public VpsdClient(URI base, String token, HttpClient http) {
        this.base = URI.create(base.toString().replaceAll("/+$", ""));
        this.token = token;
        this.http = http;
    }

    /** A response other than 2xx: its status and body ({@code {"detail": ...}} or field errors). */
    public static final class ApiException extends RuntimeException {
        private final int status;
        private final String body;

        public ApiException(int status, String body) {
            super("HTTP " + status + ": " + body);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        public String body() {
            return body;
        }
    }

    /** Filters of {@link #listServers}; null fields do not filter. */
    public record ServerQuery(String status, String location, Integer page, Integer pageSize) {
        public static final ServerQuery ALL = new ServerQuery(null, null, null, null);

        String query() {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("status", status);
            q.put("location", location);
            q.put("page", page);
            q.put("page_size", pageSize);
            StringBuilder sb = new StringBuilder();
            q.forEach((k, v) -> {
                if (v != null) {
                    sb.append(sb.isEmpty() ? "?" : "&").append(k).append('=')
                            .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
                }
            });
            return sb.toString();
        }
    }

    public Page<ServerSummary> listServers(ServerQuery query) {
        return send("GET", "/api/v1/servers/" + query.query(), null, new TypeReference<Page<ServerSummary>>() {});
    }

    public ServerCreated createServer(CreateServer request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", request.name());
        body.put("plan_id", request.planId());
        body.put("os_id", request.osId());
        body.put("location", request.location());
        if (request.hostname() != null) {
            body.put("hostname", request.hostname());
        }
        if (request.sshKeyId() != null) {
            body.put("ssh_key_id", request.sshKeyId());
        }
        if (request.backupsEnabled() != null) {
            body.put("backups_enabled", request.backupsEnabled());
        }
        return send("POST", "/api/v1/servers/", body, new TypeReference<ServerCreated>() {});
    }

    public ServerDetail server(long id) {
        return send("GET", "/api/v1/servers/" + id + "/", null, new TypeReference<ServerDetail>() {});
    }

    /** PUT: every field is required. */
    public ServerDetail replaceServer(long id, String name, String hostname, boolean backupsEnabled) {
        return send("PUT", "/api/v1/servers/" + id + "/", Map.of("name", name, "hostname", hostname, "backups_enabled", backupsEnabled),
                new TypeReference<ServerDetail>() {});
    }

    /** PATCH: only the given fields change. */
    public ServerDetail updateServer(long id, Map<String, Object> fields) {
        return send("PATCH", "/api/v1/servers/" + id + "/", fields, new TypeReference<ServerDetail>() {});
    }

    public void deleteServer(long id) {
        send("DELETE", "/api/v1/servers/" + id + "/", null, null);
    }

    public ActionResult start(long id) {
        return send("POST", "/api/v1/servers/" + id + "/start/", null, new TypeReference<ActionResult>() {});
    }

    public ActionResult stop(long id) {
        return send("POST", "/api/v1/servers/" + id + "/stop/", null, new TypeReference<ActionResult>() {});
    }

    public ActionResult reboot(long id) {
        return send("POST", "/api/v1/servers/" + id + "/reboot/", null, new TypeReference<ActionResult>() {});
    }

    public Page<Plan> plans() {
        return send("GET", "/api/v1/plans/", null, new TypeReference<Page<Plan>>() {});
    }

    public Page<OperatingSystem> operatingSystems() {
        return send("GET", "/api/v1/os/", null, new TypeReference<Page<OperatingSystem>>() {});
    }

    public Page<Location> locations() {
        return send("GET", "/api/v1/locations/", null, new TypeReference<Page<Location>>() {});
    }

    public Page<SshKey> sshKeys() {
        return send("GET", "/api/v1/ssh-keys/", null, new TypeReference<Page<SshKey>>() {});
    }

    public SshKey addSshKey(String name, String publicKey) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (name != null) {
            body.put("name", name);
        }
        body.put("public_key", publicKey);
        return send("POST", "/api/v1/ssh-keys/", body, new TypeReference<SshKey>() {});
    }

    public void deleteSshKey(long id) {
        send("DELETE", "/api/v1/ssh-keys/" + id + "/", null, null);
    }

    private <T> T send(String method, String path, Object body, TypeReference<T> type) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new ApiException(r.statusCode(), r.body());
            }
            if (type == null) {
                return null;
            }
            JavaType t = json.getTypeFactory().constructType(type);
            return json.readValue(r.body(), t);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
