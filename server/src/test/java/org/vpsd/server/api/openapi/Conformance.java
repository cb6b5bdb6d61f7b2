package org.vpsd.server.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.vpsd.server.testing.Http;

/**
 * Checks real HTTP exchanges against an {@link OpenApiDocument} and collects every mismatch:
 *
 * <ul>
 *   <li>a path that is not documented must answer 404 with the {@code NotFound} response;
 *   <li>a documented path called with a method it does not list must answer 405 with the
 *       {@code MethodNotAllowed} response and an {@code Allow} header naming exactly the
 *       documented methods;
 *   <li>otherwise the status must be documented for that path and method, the content type must
 *       be one the response documents (no body where it documents none), the body must validate
 *       against the documented schema, and the response headers marked {@code required} must be
 *       there;
 *   <li>a request body that got a 2xx must validate against the documented request schema, and one
 *       refused only for reasons a schema can express (missing, unknown, read-only, wrongly typed
 *       fields) must not.
 * </ul>
 *
 * It also records which statuses each operation was seen to answer.
 */
public final class Conformance {
    /** Field messages that a JSON Schema of the request body can express. */
    private static final Set<String> SCHEMA_LEVEL = Set.of("This field is required.", "Unknown field.", "This field is read-only.",
            "A valid integer is required.", "Not a valid string.", "Must be a valid boolean.", "This field may not be null.");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenApiDocument doc;
    private final List<String> violations = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();
    /** Bodies beyond vpsd's 64 KiB limit. */
    private static final int OVERSIZED = 64 * 1024;

    private int exchanges;
    private int resets;

    public Conformance(OpenApiDocument doc) {
        this.doc = doc;
    }

    /** One request and its answer. */
    public record Exchange(String method, String path, String body, String contentType, Http.Response response) {
        public int status() {
            return response.status();
        }

        public JsonNode json() {
            return response.json();
        }

        @Override
        public String toString() {
            String b = response.body();
            return method + " " + path + " -> " + response.status() + " " + (b.length() > 300 ? b.substring(0, 300) + "..." : b);
        }
    }

    /** Sends a request with {@code client} (its token, if any) and checks the answer. */
    public Exchange send(Http client, String method, String path, String body, String contentType) {
        Http.Response r = null;
        for (int attempt = 1; r == null; attempt++) {
            try {
                r = client.send(method, path, body, body == null ? null : contentType);
            } catch (AssertionError e) {
                // vpsd answers 413 to an oversized body without reading it, and the connection can be
                // reset before the client reads the answer: send it again.
                if (body == null || body.length() <= OVERSIZED || attempt == 3) {
                    throw e;
                }
                resets++;
            }
        }
        Exchange x = new Exchange(method, path, body, contentType, r);
        check(x);
        return x;
    }

    /** Sends and also requires a status (a mismatch is recorded, not thrown). */
    public Exchange expect(int status, Http client, String method, String path, String body) {
        Exchange x = send(client, method, path, body, "application/json");
        if (x.status() != status) {
            violation(x, "expected status " + status);
        }
        return x;
    }

    public Exchange expect(int status, Http client, String method, String path) {
        return expect(status, client, method, path, null);
    }

    /** Sends and requires one of several statuses (for answers that depend on timing). */
    public Exchange expectOneOf(Set<Integer> statuses, Http client, String method, String path, String body) {
        Exchange x = send(client, method, path, body, "application/json");
        if (!statuses.contains(x.status())) {
            violation(x, "expected one of " + statuses);
        }
        return x;
    }

    public void violation(Exchange x, String what) {
        violations.add(what + ": " + x);
    }

    public void violation(String what) {
        violations.add(what);
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public int exchanges() {
        return exchanges;
    }

    /** How many oversized requests had their connection reset before the answer and were sent again. */
    public int resets() {
        return resets;
    }

    /** Operation key ({@code GET /api/v1/servers/}) to the statuses seen. */
    public Map<String, Set<Integer>> seen() {
        return new TreeMap<>(seen);
    }

    public void check(Exchange x) {
        exchanges++;
        Optional<String> template = doc.match(x.path());
        if (template.isEmpty()) {
            checkAgainst(x, doc.componentResponse("NotFound"), 404, "an undocumented path");
            return;
        }
        Optional<OpenApiDocument.Operation> op = doc.operation(template.get(), x.method());
        if (op.isEmpty()) {
            checkAgainst(x, doc.componentResponse("MethodNotAllowed"), 405, "a method " + template.get() + " does not list");
            String allow = x.response().header("Allow");
            Set<String> documented = doc.methods(template.get()).stream().map(m -> m.toUpperCase(Locale.ROOT))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> allowed = allow == null ? Set.of() : Arrays.stream(allow.split(",")).map(String::trim)
                    .filter(s -> !s.isEmpty() && !s.equals("HEAD") && !s.equals("OPTIONS"))
                    .collect(Collectors.toCollection(TreeSet::new));
            if (x.status() == 405 && !allowed.equals(documented)) {
                violation(x, "Allow header " + allow + " differs from the documented methods " + documented);
            }
            return;
        }
        OpenApiDocument.Operation operation = op.get();
        seen.computeIfAbsent(operation.key(), k -> new TreeSet<>()).add(x.status());
        Optional<OpenApiDocument.Response> response = doc.response(operation, x.status());
        if (response.isEmpty()) {
            violation(x, "status " + x.status() + " is not documented for " + operation.key());
            return;
        }
        checkResponse(x, response.get(), operation.key() + " " + x.status());
        checkRequestBody(x, operation);
    }

    private void checkAgainst(Exchange x, OpenApiDocument.Response expected, int status, String what) {
        if (x.status() != status) {
            violation(x, "a request to " + what + " must answer " + status);
            return;
        }
        checkResponse(x, expected, what);
    }

    private void checkResponse(Exchange x, OpenApiDocument.Response response, String what) {
        JsonNode content = response.content();
        String body = x.response().body();
        if (content.isMissingNode() || content.isEmpty()) {
            if (!body.isEmpty()) {
                violation(x, what + " documents no body, but one came");
            }
        } else {
            String type = x.response().header("Content-Type");
            String media = type == null ? null : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (media == null || !content.has(media)) {
                violation(x, what + ": content type " + type + " is not documented (" + names(content) + ")");
            } else if (media.equals("application/json") || media.endsWith("+json")) {
                JsonNode value;
                try {
                    value = JSON.readTree(body);
                } catch (IOException e) {
                    violation(x, what + ": the body is not JSON");
                    return;
                }
                if (value == null || value.isMissingNode()) {
                    violation(x, what + ": the body is empty");
                    return;
                }
                String pointer = response.pointer() + "/content/" + OpenApiDocument.escape(media) + "/schema";
                List<String> errors = doc.validate(pointer, value);
                if (!errors.isEmpty()) {
                    violation(x, what + ": the body does not match " + describe(content.get(media).path("schema")) + ": " + errors);
                }
            } else if (body.isEmpty()) {
                violation(x, what + ": empty " + media + " body");
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = response.headers().fields(); it.hasNext(); ) {
            var h = it.next();
            JsonNode header = h.getValue().has("$ref") ? doc.at(OpenApiDocument.refPointer(h.getValue().get("$ref").asText()))
                    : h.getValue();
            if (header.path("required").asBoolean(false) && x.response().header(h.getKey()) == null) {
                violation(x, what + ": the documented header " + h.getKey() + " is missing");
            }
        }
    }

    private void checkRequestBody(Exchange x, OpenApiDocument.Operation op) {
        if (x.body() == null || x.body().isBlank() || !op.node().has("requestBody")) {
            return;
        }
        JsonNode media = op.node().path("requestBody").path("content").path("application/json");
        if (media.isMissingNode()) {
            return;
        }
        JsonNode sent;
        try {
            sent = JSON.readTree(x.body());
        } catch (IOException e) {
            return; // malformed on purpose
        }
        String pointer = op.pointer() + "/requestBody/content/application~1json/schema";
        List<String> errors = doc.validate(pointer, sent);
        if (x.status() / 100 == 2 && !errors.isEmpty()) {
            violation(x, "the server accepted a body that the documented request schema refuses: " + errors);
        }
        if (x.status() == 400 && errors.isEmpty() && refusedForSchemaReasons(x.response())) {
            violation(x, "the server refused, for reasons a schema expresses, a body that the documented request schema accepts");
        }
    }

    private static boolean refusedForSchemaReasons(Http.Response r) {
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            return false;
        }
        if (body == null || !body.isObject() || body.has("detail") || body.isEmpty()) {
            return false;
        }
        for (Iterator<JsonNode> fields = body.elements(); fields.hasNext(); ) {
            JsonNode messages = fields.next();
            for (JsonNode m : messages) {
                if (!SCHEMA_LEVEL.contains(m.asText())) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String names(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return String.join(", ", out);
    }

    private static String describe(JsonNode schema) {
        return schema.has("$ref") ? schema.get("$ref").asText() : schema.toString();
    }
}
