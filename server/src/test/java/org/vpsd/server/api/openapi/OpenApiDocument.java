package org.vpsd.server.api.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi31;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An OpenAPI 3.1 document, read for testing: its paths and operations, their responses (with
 * {@code $ref}s to {@code components/responses} followed), and JSON Schema validation of any
 * value against any schema of the document, addressed by its JSON pointer. The whole document is
 * the schema resource, so {@code "$ref": "#/components/schemas/X"} resolves as it does for an
 * OpenAPI tool; schemas use the OpenAPI 3.1 base dialect (JSON Schema 2020-12), with format
 * assertions on ({@code date-time}, {@code uri}, {@code ipv4}, ...).
 */
public final class OpenApiDocument {
    /** The methods an OpenAPI path item may hold. */
    public static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static final String BASE = "https://vpsd.test/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;
    private final JsonSchemaFactory factory;
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();

    public OpenApiDocument(String text) {
        try {
            this.root = JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("The OpenAPI document is not JSON: " + e.getMessage(), e);
        }
        // The document's own top-level fields are not schema keywords: declare them so they are ignored quietly.
        JsonMetaSchema dialect = JsonMetaSchema.builder(OpenApi31.getInstance())
                .keywords(Stream.of("openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components",
                        "security", "tags", "externalDocs").map(NonValidationKeyword::new).toList())
                .build();
        this.factory = JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012))
                .metaSchema(dialect)
                .defaultMetaSchemaIri(dialect.getIri())
                .schemaLoaders(loaders -> loaders.schemas(Map.of(BASE, text)))
                .build();
    }

    public JsonNode root() {
        return root;
    }

    /** An operation of the document: its path template, method (lower case) and JSON pointer. */
    public record Operation(String path, String method, JsonNode node, String pointer) {
        public String key() {
            return method.toUpperCase() + " " + path;
        }

        public String operationId() {
            return node.path("operationId").asText();
        }
    }

    /** A response of an operation, with the pointer of the object its {@code $ref}s lead to. */
    public record Response(JsonNode node, String pointer) {
        public JsonNode content() {
            return node.path("content");
        }

        public JsonNode headers() {
            return node.path("headers");
        }
    }

    public List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("paths").fields(); it.hasNext(); ) {
            var e = it.next();
            for (String m : METHODS) {
                if (e.getValue().has(m)) {
                    ops.add(new Operation(e.getKey(), m, e.getValue().get(m), "/paths/" + escape(e.getKey()) + "/" + m));
                }
            }
        }
        return ops;
    }

    public Set<String> paths() {
        Set<String> out = new LinkedHashSet<>();
        root.path("paths").fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** The methods (lower case) a documented path lists. */
    public Set<String> methods(String path) {
        Set<String> out = new LinkedHashSet<>();
        JsonNode item = root.path("paths").path(path);
        for (String m : METHODS) {
            if (item.has(m)) {
                out.add(m);
            }
        }
        return out;
    }

    public Optional<Operation> operation(String path, String method) {
        JsonNode node = root.path("paths").path(path).get(method.toLowerCase());
        return node == null ? Optional.empty()
                : Optional.of(new Operation(path, method.toLowerCase(), node, "/paths/" + escape(path) + "/" + method.toLowerCase()));
    }

    /**
     * The documented path template a concrete request path falls under, ignoring the query and a
     * trailing slash (both forms are served); literal segments win over parameters.
     */
    public Optional<String> match(String requestPath) {
        String p = strip(requestPath);
        String[] segments = p.split("/", -1);
        return paths().stream()
                .filter(t -> matches(strip(t).split("/", -1), segments))
                .min(Comparator.comparingLong(t -> strip(t).chars().filter(c -> c == '{').count()));
    }

    private static boolean matches(String[] template, String[] segments) {
        if (template.length != segments.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            boolean param = template[i].startsWith("{") && template[i].endsWith("}");
            if (param ? segments[i].isEmpty() : !template[i].equals(segments[i])) {
                return false;
            }
        }
        return true;
    }

    /** A path without its query and without trailing slashes. */
    public static String strip(String path) {
        int q = path.indexOf('?');
        String p = q >= 0 ? path.substring(0, q) : path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** The documented response of an operation for a status, with {@code $ref}s followed. */
    public Optional<Response> response(Operation op, int status) {
        String pointer = op.pointer() + "/responses/" + status;
        JsonNode node = op.node().path("responses").get(String.valueOf(status));
        if (node == null) {
            return Optional.empty();
        }
        while (node.has("$ref")) {
            pointer = refPointer(node.get("$ref").asText());
            node = at(pointer);
        }
        return Optional.of(new Response(node, pointer));
    }

    /** A named response of {@code components/responses}. */
    public Response componentResponse(String name) {
        String pointer = "/components/responses/" + escape(name);
        return new Response(at(pointer), pointer);
    }

    /** The node a JSON pointer of the document names; fails if there is none. */
    public JsonNode at(String pointer) {
        JsonNode n = root.at(pointer);
        if (n.isMissingNode()) {
            throw new AssertionError("The OpenAPI document has nothing at " + pointer);
        }
        return n;
    }

    /** {@code #/components/schemas/X} to {@code /components/schemas/X}; only local references are used. */
    public static String refPointer(String ref) {
        if (!ref.startsWith("#")) {
            throw new AssertionError("Only local $refs are expected in the document: " + ref);
        }
        return ref.substring(1);
    }

    /** Validates {@code value} against the schema at {@code pointer}; returns the messages, empty when valid. */
    public List<String> validate(String pointer, JsonNode value) {
        JsonSchema schema = schemas.computeIfAbsent(pointer,
                p -> factory.getSchema(SchemaLocation.of(BASE + "#" + p), config));
        List<String> out = new ArrayList<>();
        for (ValidationMessage m : schema.validate(value)) {
            out.add(m.getMessage());
        }
        return out;
    }

    /** Every {@code $ref} in the document, with where it stands. */
    public Map<String, String> refs() {
        Map<String, String> out = new LinkedHashMap<>();
        collectRefs(root, "", out);
        return out;
    }

    private static void collectRefs(JsonNode node, String at, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    out.put(at + "/$ref", e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), at + "/" + escape(e.getKey()), out);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectRefs(node.get(i), at + "/" + i, out);
            }
        }
    }

    /** Escapes a JSON pointer token. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
