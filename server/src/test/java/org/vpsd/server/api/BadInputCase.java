package org.vpsd.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * One malformed request of the table and what vpsd must answer: a 4xx status, a JSON body of
 * Django REST Framework's shape, and no change to anything. Paths, bodies and the Authorization
 * header may name fixture values as {@code $active}, {@code $token}, ... (see {@link BadInputWorld});
 * a case naming a frozen-world value ({@code $fProv}, ...) is sent to the frozen vpsd.
 */
record BadInputCase(
        String name,
        String method,
        String path,
        Body body,
        String contentType,
        String auth,
        Transport transport,
        Map<String, String> headers,
        Expect expect) {

    /** How the request travels: Java's HTTP client, or a socket for what that client will not send. */
    enum Transport { CLIENT, RAW, CHUNKED }

    static final String DEFAULT = "<default>";
    static final String NONE = "<none>";
    private static final Pattern VAR = Pattern.compile("\\$([A-Za-z]+)");
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ building

    static BadInputCase of(String name, String method, String path, Body body, Expect expect) {
        return new BadInputCase(name, method, path, body, DEFAULT, DEFAULT, Transport.CLIENT, Map.of(), expect);
    }

    BadInputCase auth(String header) {
        return new BadInputCase(name, method, path, body, contentType, header, transport, headers, expect);
    }

    BadInputCase noAuth() {
        return auth(NONE);
    }

    /** The Content-Type header; null for none. */
    BadInputCase type(String type) {
        return new BadInputCase(name, method, path, body, type == null ? NONE : type, auth, transport, headers, expect);
    }

    BadInputCase raw() {
        return new BadInputCase(name, method, path, body, contentType, auth, Transport.RAW, headers, expect);
    }

    BadInputCase chunked() {
        return new BadInputCase(name, method, path, body, contentType, auth, Transport.CHUNKED, headers, expect);
    }

    BadInputCase header(String header, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(header, value);
        return new BadInputCase(name, method, path, body, contentType, auth, transport, Map.copyOf(h), expect);
    }

    BadInputCase named(String newName) {
        return new BadInputCase(newName, method, path, body, contentType, auth, transport, headers, expect);
    }

    // ------------------------------------------------------------------ bodies

    /** A request body, made when the case runs (it may need fixture values). */
    interface Body {
        byte[] bytes(BadInputWorld w);

        /** The body's text before placeholders are filled in, for a failure message. */
        String describe();

        /** Whether the body names a frozen-world value. */
        default boolean frozen() {
            return false;
        }

        /** JSON text (or any text), placeholders filled in. */
        static Body text(String text) {
            return new Body() {
                @Override
                public byte[] bytes(BadInputWorld w) {
                    return resolve(text, w).getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public String describe() {
                    return text;
                }

                @Override
                public boolean frozen() {
                    return namesFrozen(text);
                }
            };
        }

        /** Bytes as they are (invalid UTF-8, say). */
        static Body bytes(byte[] bytes, String description) {
            return new Body() {
                @Override
                public byte[] bytes(BadInputWorld w) {
                    return bytes;
                }

                @Override
                public String describe() {
                    return description;
                }
            };
        }

        /** The live world's current catalog document with one change. */
        static Body catalog(String description, Consumer<ObjectNode> change) {
            return new Body() {
                @Override
                public byte[] bytes(BadInputWorld w) {
                    ObjectNode doc = w.catalog();
                    change.accept(doc);
                    return doc.toString().getBytes(StandardCharsets.UTF_8);
                }

                @Override
                public String describe() {
                    return "the current catalog with " + description;
                }
            };
        }
    }

    // ------------------------------------------------------------------ expectations

    /** What shape the error body has. */
    enum Shape {
        /** {@code {"detail": "..."}} and nothing else. */
        DETAIL,
        /** {@code {"field": ["message", ...], ...}} with exactly the given fields. */
        FIELDS,
        /** Either of the two (where both are defensible). */
        EITHER
    }

    /** The answer a case must get. */
    record Expect(Set<Integer> statuses, Shape shape, String detail, Set<String> fields) {
        @Override
        public String toString() {
            String s = statuses.stream().map(String::valueOf).collect(Collectors.joining(" or "));
            return switch (shape) {
                case DETAIL -> s + " {\"detail\": " + (detail == null ? "<any string>" : "\"" + detail + "\"") + "}";
                case FIELDS -> s + " field errors for " + fields;
                case EITHER -> s + " {\"detail\": ...} or field errors";
            };
        }
    }

    static Expect detail(int status, String detail) {
        return new Expect(Set.of(status), Shape.DETAIL, detail, Set.of());
    }

    static Expect detailAnyOf(int... statuses) {
        return new Expect(Arrays.stream(statuses).boxed().collect(Collectors.toSet()), Shape.DETAIL, null, Set.of());
    }

    static Expect fields(String... names) {
        return new Expect(Set.of(400), Shape.FIELDS, null, new TreeSet<>(List.of(names)));
    }

    static Expect either(int... statuses) {
        return new Expect(Arrays.stream(statuses).boxed().collect(Collectors.toSet()), Shape.EITHER, null, Set.of());
    }

    // ------------------------------------------------------------------ running

    /** Whether the case runs against the frozen world. */
    boolean frozen() {
        return namesFrozen(path) || namesFrozen(auth) || (body != null && body.frozen());
    }

    private static boolean namesFrozen(String text) {
        Matcher m = VAR.matcher(text);
        while (m.find()) {
            if (m.group(1).length() > 1 && m.group(1).charAt(0) == 'f' && Character.isUpperCase(m.group(1).charAt(1))) {
                return true;
            }
        }
        return false;
    }

    static String resolve(String text, BadInputWorld w) {
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = w.vars.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString();
    }

    String authTemplate(boolean inFrozen) {
        if (!auth.equals(DEFAULT)) {
            return auth;
        }
        String p = path.split("\\?", 2)[0];
        if (p.startsWith("/admin/") || p.startsWith("/metrics")) {
            return inFrozen ? "Bearer $fAdmin" : "Bearer $admin";
        }
        if (p.startsWith("/api/v1/openapi.json") || p.startsWith("/healthz") || p.startsWith("/readyz")) {
            return NONE;
        }
        return inFrozen ? "Bearer $fToken" : "Bearer $token";
    }

    /** Sends the request, compares the snapshots, checks the answer; throws an AssertionError listing every problem. */
    void run(BadInputWorld w) {
        Map<String, String> before = w.cleanSnapshot();
        String target = resolve(path, w);
        String authTemplate = authTemplate(w.frozen);
        String authHeader = authTemplate.equals(NONE) ? null : resolve(authTemplate, w);
        byte[] bytes = body == null ? null : body.bytes(w);
        String type = contentType.equals(DEFAULT) ? (bytes == null ? null : "application/json")
                : contentType.equals(NONE) ? null : contentType;

        Http.Response r = null;
        for (int attempt = 1; r == null; attempt++) {
            try {
                r = send(w, target, authHeader, bytes, type);
            } catch (AssertionError e) {
                // A server may answer an oversized body early and close the connection while the client still
                // writes; Java's client then loses the answer. Try again on a new connection.
                if (attempt == 3) {
                    throw new AssertionError(name + "\n  request:  " + method + " " + clip(target, 300) + "\n  no response: "
                            + e.getMessage(), e);
                }
                TestServer.sleep(100);
            }
        }
        Map<String, String> after = w.snapshot();

        List<String> problems = new ArrayList<>();
        check(r, problems);
        List<String> changes = BadInputWorld.diff(before, after);
        if (!changes.isEmpty()) {
            w.markDirty();
            problems.add("the request CHANGED STATE:\n    " + String.join("\n    ", changes));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(report(target, authHeader, type, bytes, r, problems));
        }
    }

    private Http.Response send(BadInputWorld w, String target, String authHeader, byte[] bytes, String type) {
        Map<String, String> h = new LinkedHashMap<>();
        if (authHeader != null) {
            h.put("Authorization", authHeader);
        }
        if (transport == Transport.CLIENT) {
            h.putAll(headers);
            return new Http(w.baseUrl(), null).send(method, target, bytes, type, h);
        }
        if (type != null) {
            h.put("Content-Type", type);
        }
        byte[] wire = bytes;
        if (transport == Transport.CHUNKED) {
            h.put("Transfer-Encoding", "chunked");
            wire = BadInputRaw.chunked(bytes == null ? new byte[0] : bytes);
        } else if (bytes != null && !headers.containsKey("Content-Length")) {
            h.put("Content-Length", Integer.toString(bytes.length));
        }
        h.putAll(headers);
        return BadInputRaw.send(w.baseUrl(), method + " " + target + " HTTP/1.1", h, wire);
    }

    private void check(Http.Response r, List<String> problems) {
        if (r.status() >= 500) {
            problems.add("a " + r.status() + " for client input (never a 5xx)");
        } else if (r.status() < 400) {
            problems.add("the request was ACCEPTED (" + r.status() + "), expected " + expect.statuses());
            return;
        } else if (!expect.statuses().contains(r.status())) {
            problems.add("status " + r.status() + ", expected " + expect.statuses());
        }
        String type = r.header("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            problems.add("Content-Type " + type + ", expected application/json");
        }
        JsonNode json;
        try {
            json = STRICT.readTree(r.body());
        } catch (java.io.IOException | RuntimeException e) {
            problems.add("the body is not JSON");
            return;
        }
        if (json == null || !json.isObject()) {
            problems.add("the body is not a JSON object");
            return;
        }
        boolean isDetail = json.size() == 1 && json.has("detail");
        Shape shape = expect.shape() == Shape.EITHER ? (isDetail ? Shape.DETAIL : Shape.FIELDS) : expect.shape();
        if (shape == Shape.DETAIL) {
            if (!isDetail || !json.get("detail").isTextual() || json.get("detail").asText().isBlank()) {
                problems.add("the body is not {\"detail\": \"...\"}");
            } else if (expect.detail() != null && !expect.detail().equals(json.get("detail").asText())) {
                problems.add("detail \"" + json.get("detail").asText() + "\", expected \"" + expect.detail() + "\"");
            }
        } else {
            if (json.isEmpty() || json.has("detail")) {
                problems.add("the body is not a field error map");
            }
            Set<String> names = new TreeSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
                var e = it.next();
                names.add(e.getKey());
                JsonNode v = e.getValue();
                boolean ok = v.isArray() && !v.isEmpty();
                for (JsonNode m : v) {
                    ok &= m.isTextual() && !m.asText().isBlank();
                }
                if (!ok) {
                    problems.add("field \"" + e.getKey() + "\" is not a non-empty array of messages: " + v);
                }
            }
            if (expect.shape() == Shape.FIELDS && !names.equals(expect.fields())) {
                problems.add("field errors for " + names + ", expected exactly " + expect.fields());
            }
        }
        if (r.status() == 401 && r.header("WWW-Authenticate") == null) {
            problems.add("a 401 without WWW-Authenticate");
        }
    }

    private String report(String target, String authHeader, String type, byte[] bytes, Http.Response r, List<String> problems) {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append('\n');
        sb.append("  request:  ").append(method).append(' ').append(clip(target, 300));
        sb.append(transport == Transport.CLIENT ? "" : " (" + transport.name().toLowerCase(java.util.Locale.ROOT) + ")").append('\n');
        sb.append("            Authorization: ").append(authHeader == null ? "(none)" : clip(authHeader, 60)).append('\n');
        if (type != null) {
            sb.append("            Content-Type: ").append(type).append('\n');
        }
        headers.forEach((k, v) -> sb.append("            ").append(k).append(": ").append(clip(v, 60)).append('\n'));
        if (bytes != null) {
            sb.append("            body (").append(bytes.length).append(" bytes): ")
                    .append(clip(new String(bytes, StandardCharsets.UTF_8), 300)).append('\n');
        }
        sb.append("  response: ").append(r.status()).append(" Content-Type: ").append(r.header("Content-Type")).append('\n');
        sb.append("            ").append(clip(r.body(), 600)).append('\n');
        sb.append("  expected: ").append(expect).append(", nothing changed\n");
        sb.append("  problems:\n");
        for (String p : problems) {
            sb.append("  - ").append(p).append('\n');
        }
        return sb.toString();
    }

    private static String clip(String s, int max) {
        String flat = s.replace("\n", "\\n").replace("\r", "\\r").replace("\u0000", "\\u0000");
        return flat.length() > max ? flat.substring(0, max) + "... (" + s.length() + " chars)" : flat;
    }
}
