package org.vpsd.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.api.BadInputCase.detail;
import static org.vpsd.server.api.BadInputCase.detailAnyOf;
import static org.vpsd.server.api.BadInputCase.either;
import static org.vpsd.server.api.BadInputCase.fields;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vpsd.server.api.BadInputCase.Body;
import org.vpsd.server.api.BadInputCase.Expect;
import org.vpsd.server.testing.TestServer;

/**
 * "Anything a client can send gets a clear 4xx and changes nothing. Never a 500 for client input."
 *
 * <p>One table of malformed requests over every route of {@link HttpApi#routes}: wrong JSON types,
 * missing, unknown and read-only fields, invalid names and hostnames, references to what does
 * not exist or is another account's, malformed and non-object JSON, bodies over 64 KiB, wrong
 * content types, bad path ids and query parameters, every kind of bad Authorization header,
 * wrong methods, invalid admin bodies and actions that do not fit the server's status. Each case
 * checks the exact status, the Django REST Framework body shape ({@code {"detail": "..."}} or
 * {@code {"field": ["...", ...]}} naming exactly the offending fields), and that a snapshot of
 * everything a request could change is the same after it (see {@link BadInputWorld}).
 *
 * <p>In the table, bodies are JSON written with {@code '} for {@code "} (see {@link #json}); {@code $name}
 * stands for a fixture value ({@code $active} is account A's active server, {@code $token} A's
 * token, {@code $fProv} a server of the frozen vpsd that stays provisioning, ...).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
    // ------------------------------------------------------------------ valid bodies the cases spoil

    private static final Map<String, String> CREATE = ordered("name", "'bi-new'", "plan_id", "1", "os_id", "5", "location", "'us-west'");
    private static final Map<String, String> PUT_OK =
            ordered("name", "'bi-renamed'", "hostname", "'renamed.example.com'", "backups_enabled", "true");
    private static final Map<String, String> KEY_OK =
            ordered("name", "'bi-new-key'", "public_key", "'" + BadInputKeys.ed25519("new@bad-input") + "'");
    private static final Map<String, String> ACCOUNT_OK = ordered("name", "'bi-new-account'", "credit", "'10'");
    private static final Map<String, String> CREDIT_OK = ordered("amount", "5", "note", "'bad input'");
    private static final Map<String, String> FAULT_OK = ordered("fail_next", "1", "failure_rate", "0.5", "message", "'boom'");

    private static final String SERVERS = "/api/v1/servers/";
    private static final String ACTIVE = "/api/v1/servers/$active/";
    private static final String KEYS = "/api/v1/ssh-keys/";
    private static final String ACCOUNTS = "/admin/v1/accounts/";
    private static final String CREDIT = "/admin/v1/accounts/$account/credit/";
    private static final String TOKENS = "/admin/v1/accounts/$account/tokens/";
    private static final String ADMIN_TOKENS = "/admin/v1/admin-tokens/";
    private static final String CATALOG = "/admin/v1/catalog/";
    private static final String FAULT = "/admin/v1/simulator/faults/start/";
    private static final String ACPI = "/admin/v1/simulator/ignore-acpi/";

    private static final String NOT_PROVIDED = "Authentication credentials were not provided.";
    private static final String INVALID_TOKEN = "Invalid token.";
    private static final String NOT_FOUND = "Not found.";
    private static final String INVALID_PAGE = "Invalid page.";
    private static final String LONG_STRING = "x".repeat(70_000);

    private TestServer liveServer;
    private TestServer frozenServer;
    private BadInputWorld live;
    private BadInputWorld frozen;

    @BeforeAll
    void start() {
        liveServer = TestServer.start();
        live = BadInputWorld.live(liveServer);
        frozenServer = TestServer.start();
        frozen = BadInputWorld.frozen(frozenServer);
    }

    @AfterAll
    void stop() {
        try {
            if (liveServer != null) {
                liveServer.close();
            }
        } finally {
            if (frozenServer != null) {
                frozenServer.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badRequest(BadInputCase c) {
        c.run(c.frozen() ? frozen : live);
    }

    // ------------------------------------------------------------------ the table

    static Stream<BadInputCase> cases() {
        List<BadInputCase> all = new ArrayList<>();
        all.addAll(createBodies());
        all.addAll(updateBodies());
        all.addAll(malformedBodies());
        all.addAll(sizesAndContentTypes());
        all.addAll(stateAndOwnership());
        all.addAll(sshKeys());
        all.addAll(queries());
        all.addAll(authorization());
        all.addAll(adminBodies());
        all.addAll(catalogDocuments());
        all.addAll(simulator());
        all.addAll(protocol());
        all.addAll(perRoute());
        return all.stream();
    }

    /** POST /api/v1/servers/: each field spoiled in turn in an otherwise valid body. */
    static List<BadInputCase> createBodies() {
        return List.of(
                create("name: integer", "name", "1", fields("name")),
                create("name: float", "name", "1.5", fields("name")),
                create("name: boolean", "name", "true", fields("name")),
                create("name: null", "name", "null", fields("name")),
                create("name: array", "name", "['bi-new']", fields("name")),
                create("name: object", "name", "{'v':'bi-new'}", fields("name")),
                createWithout("name: missing", "name", fields("name")),
                create("name: empty", "name", "''", fields("name")),
                create("name: blank", "name", "'   '", fields("name")),
                create("name: 64 characters", "name", "'" + "a".repeat(64) + "'", fields("name")),
                create("name: 1000 characters", "name", "'" + "a".repeat(1000) + "'", fields("name")),
                create("name: space", "name", "'has space'", fields("name")),
                create("name: underscore", "name", "'under_score'", fields("name")),
                create("name: dot", "name", "'dot.name'", fields("name")),
                create("name: unicode letters", "name", "'s\u00e9rver-\u00fc'", fields("name")),
                create("name: emoji", "name", "'web-\ud83d\ude00'", fields("name")),
                create("name: leading hyphen", "name", "'-web'", fields("name")),
                create("name: trailing hyphen", "name", "'web-'", fields("name")),
                create("name: only a hyphen", "name", "'-'", fields("name")),
                create("name: NUL character", "name", "'web\\u0000x'", fields("name")),
                create("name: newline", "name", "'web\\nx'", fields("name")),
                create("name: tab", "name", "'web\\tx'", fields("name")),
                create("name: lone surrogate", "name", "'web\\ud800'", fields("name")),
                create("name: already taken", "name", "'$activeName'", fields("name")),
                create("plan_id: string", "plan_id", "'1'", fields("plan_id")),
                create("plan_id: float", "plan_id", "1.5", fields("plan_id")),
                create("plan_id: exponent float", "plan_id", "1e0", fields("plan_id")),
                create("plan_id: boolean", "plan_id", "true", fields("plan_id")),
                create("plan_id: null", "plan_id", "null", fields("plan_id")),
                create("plan_id: array", "plan_id", "[1]", fields("plan_id")),
                create("plan_id: object", "plan_id", "{'id':1}", fields("plan_id")),
                createWithout("plan_id: missing", "plan_id", fields("plan_id")),
                create("plan_id: nonexistent", "plan_id", "99", fields("plan_id")),
                create("plan_id: an OS id", "plan_id", "5", fields("plan_id")),
                create("plan_id: zero", "plan_id", "0", fields("plan_id")),
                create("plan_id: negative", "plan_id", "-1", fields("plan_id")),
                create("plan_id: Long.MAX_VALUE", "plan_id", "9223372036854775807", fields("plan_id")),
                create("plan_id: 99999999999999999999", "plan_id", "99999999999999999999", fields("plan_id")),
                create("plan_id: 1e400", "plan_id", "1e400", fields("plan_id")),
                create("plan_id: 1e-400", "plan_id", "1e-400", fields("plan_id")),
                create("os_id: string", "os_id", "'5'", fields("os_id")),
                create("os_id: float", "os_id", "5.5", fields("os_id")),
                create("os_id: boolean", "os_id", "false", fields("os_id")),
                create("os_id: null", "os_id", "null", fields("os_id")),
                create("os_id: array", "os_id", "[5]", fields("os_id")),
                create("os_id: object", "os_id", "{}", fields("os_id")),
                createWithout("os_id: missing", "os_id", fields("os_id")),
                create("os_id: nonexistent", "os_id", "4", fields("os_id")),
                create("os_id: a plan id", "os_id", "1", fields("os_id")),
                create("os_id: negative", "os_id", "-5", fields("os_id")),
                create("os_id: 99999999999999999999", "os_id", "99999999999999999999", fields("os_id")),
                create("os_id: 1e400", "os_id", "1e400", fields("os_id")),
                create("location: integer", "location", "1", fields("location")),
                create("location: boolean", "location", "true", fields("location")),
                create("location: null", "location", "null", fields("location")),
                create("location: array", "location", "['us-west']", fields("location")),
                create("location: object", "location", "{'code':'us-west'}", fields("location")),
                createWithout("location: missing", "location", fields("location")),
                create("location: mars", "location", "'mars'", fields("location")),
                create("location: upper case", "location", "'US-WEST'", fields("location")),
                create("location: empty", "location", "''", fields("location")),
                create("location: leading space", "location", "' us-west'", fields("location")),
                create("location: underscore", "location", "'us_west'", fields("location")),
                create("location: NUL character", "location", "'us-west\\u0000'", fields("location")),
                create("location: 1000 characters", "location", "'" + "x".repeat(1000) + "'", fields("location")),
                create("hostname: integer", "hostname", "1", fields("hostname")),
                create("hostname: boolean", "hostname", "true", fields("hostname")),
                create("hostname: array", "hostname", "['a.example.com']", fields("hostname")),
                create("hostname: object", "hostname", "{}", fields("hostname")),
                create("hostname: empty", "hostname", "''", fields("hostname")),
                create("hostname: single label", "hostname", "'web01'", fields("hostname")),
                create("hostname: leading hyphen", "hostname", "'-web.example.com'", fields("hostname")),
                create("hostname: trailing hyphen", "hostname", "'web-.example.com'", fields("hostname")),
                create("hostname: empty label", "hostname", "'web..example.com'", fields("hostname")),
                create("hostname: leading dot", "hostname", "'.example.com'", fields("hostname")),
                create("hostname: two trailing dots", "hostname", "'web.example.com..'", fields("hostname")),
                create("hostname: numeric top label", "hostname", "'web.123'", fields("hostname")),
                create("hostname: space", "hostname", "'web 01.example.com'", fields("hostname")),
                create("hostname: underscore", "hostname", "'web_01.example.com'", fields("hostname")),
                create("hostname: unicode", "hostname", "'w\u00e9b.example.com'", fields("hostname")),
                create("hostname: 64-character label", "hostname", "'" + "a".repeat(64) + ".example.com'", fields("hostname")),
                create("hostname: 254 characters", "hostname", "'" + ("a".repeat(62) + ".").repeat(4) + "abc.de'", fields("hostname")),
                create("hostname: NUL character", "hostname", "'web\\u0000.example.com'", fields("hostname")),
                create("hostname: URL", "hostname", "'http://web.example.com/'", fields("hostname")),
                create("hostname: with port", "hostname", "'web.example.com:80'", fields("hostname")),
                create("hostname: wildcard", "hostname", "'*.example.com'", fields("hostname")),
                create("ssh_key_id: string", "ssh_key_id", "'$key'", fields("ssh_key_id")),
                create("ssh_key_id: float", "ssh_key_id", "1.5", fields("ssh_key_id")),
                create("ssh_key_id: boolean", "ssh_key_id", "true", fields("ssh_key_id")),
                create("ssh_key_id: array", "ssh_key_id", "[$key]", fields("ssh_key_id")),
                create("ssh_key_id: object", "ssh_key_id", "{'id':$key}", fields("ssh_key_id")),
                create("ssh_key_id: nonexistent", "ssh_key_id", "$missing", fields("ssh_key_id")),
                create("ssh_key_id: another account's key", "ssh_key_id", "$otherKey", fields("ssh_key_id")),
                create("ssh_key_id: zero", "ssh_key_id", "0", fields("ssh_key_id")),
                create("ssh_key_id: negative", "ssh_key_id", "-1", fields("ssh_key_id")),
                create("ssh_key_id: 99999999999999999999", "ssh_key_id", "99999999999999999999", fields("ssh_key_id")),
                create("backups_enabled: string true", "backups_enabled", "'true'", fields("backups_enabled")),
                create("backups_enabled: string false", "backups_enabled", "'false'", fields("backups_enabled")),
                create("backups_enabled: 1", "backups_enabled", "1", fields("backups_enabled")),
                create("backups_enabled: 0", "backups_enabled", "0", fields("backups_enabled")),
                create("backups_enabled: yes", "backups_enabled", "'yes'", fields("backups_enabled")),
                create("backups_enabled: null", "backups_enabled", "null", fields("backups_enabled")),
                create("backups_enabled: array", "backups_enabled", "[true]", fields("backups_enabled")),
                create("backups_enabled: object", "backups_enabled", "{}", fields("backups_enabled")),
                create("unknown field", "foo", "1", fields("foo")),
                create("unknown field: capitalised Name", "Name", "'bi-new'", fields("Name")),
                create("unknown field: empty key", "", "1", fields("")),
                create("unknown field: key with space", "name ", "'bi-new'", fields("name ")),
                create("read-only: id", "id", "12345", fields("id")),
                create("read-only: status", "status", "'active'", fields("status")),
                create("read-only: ip_address", "ip_address", "'203.0.113.10'", fields("ip_address")),
                create("read-only: ipv6_address", "ipv6_address", "'2001:db8::10'", fields("ipv6_address")),
                create("read-only: created_at", "created_at", "'2025-01-10T14:30:00Z'", fields("created_at")),
                create("read-only: updated_at", "updated_at", "'2025-01-10T14:30:00Z'", fields("updated_at")),
                create("read-only: plan", "plan", "{'id':1}", fields("plan")),
                create("read-only: os", "os", "{'id':5}", fields("os")),
                create("read-only: message", "message", "'hi'", fields("message")),
                create("read-only: resource_usage", "resource_usage", "{}", fields("resource_usage")),
                req("create: three errors at once", "POST", SERVERS, "{'name':'bad name','plan_id':'1','os_id':5,'location':'us-west','foo':1}",
                        fields("name", "plan_id", "foo")),
                req("create: empty object", "POST", SERVERS, "{}", fields("name", "plan_id", "os_id", "location")),
                req("create: no body", "POST", SERVERS, null, fields("name", "plan_id", "os_id", "location")),
                req("create: whitespace body", "POST", SERVERS, "  \n ", fields("name", "plan_id", "os_id", "location")),
                req("create: credit short of the first hour (402)", "POST", SERVERS, json(CREATE), detail(402, null)).auth("Bearer $poorToken"));
    }

    /** PUT and PATCH /api/v1/servers/{id}/. */
    static List<BadInputCase> updateBodies() {
        return List.of(
                putWithout("PUT: name missing", "name", fields("name")),
                putWithout("PUT: hostname missing", "hostname", fields("hostname")),
                putWithout("PUT: backups_enabled missing", "backups_enabled", fields("backups_enabled")),
                req("PUT: empty object", "PUT", ACTIVE, "{}", fields("name", "hostname", "backups_enabled")),
                req("PUT: no body", "PUT", ACTIVE, null, fields("name", "hostname", "backups_enabled")),
                put("PUT: name integer", "name", "1", fields("name")),
                put("PUT: name null", "name", "null", fields("name")),
                put("PUT: name empty", "name", "''", fields("name")),
                put("PUT: name with space", "name", "'bad name'", fields("name")),
                put("PUT: name 64 characters", "name", "'" + "b".repeat(64) + "'", fields("name")),
                put("PUT: name NUL character", "name", "'a\\u0000b'", fields("name")),
                put("PUT: name taken by another server", "name", "'$stoppedName'", fields("name")),
                put("PUT: hostname null", "hostname", "null", fields("hostname")),
                put("PUT: hostname single label", "hostname", "'renamed'", fields("hostname")),
                put("PUT: hostname integer", "hostname", "42", fields("hostname")),
                put("PUT: hostname empty", "hostname", "''", fields("hostname")),
                put("PUT: backups_enabled string", "backups_enabled", "'true'", fields("backups_enabled")),
                put("PUT: backups_enabled null", "backups_enabled", "null", fields("backups_enabled")),
                put("PUT: backups_enabled integer", "backups_enabled", "1", fields("backups_enabled")),
                put("PUT: read-only plan_id", "plan_id", "2", fields("plan_id")),
                put("PUT: read-only os_id", "os_id", "3", fields("os_id")),
                put("PUT: read-only location", "location", "'us-east'", fields("location")),
                put("PUT: read-only ssh_key_id", "ssh_key_id", "$key", fields("ssh_key_id")),
                put("PUT: read-only id", "id", "$stopped", fields("id")),
                put("PUT: read-only status", "status", "'stopped'", fields("status")),
                put("PUT: read-only ip_address", "ip_address", "'203.0.113.99'", fields("ip_address")),
                put("PUT: read-only created_at", "created_at", "'2020-01-01T00:00:00Z'", fields("created_at")),
                put("PUT: unknown field", "foo", "1", fields("foo")),
                req("PUT: bad body on a stopped server", "PUT", "/api/v1/servers/$stopped/", "{'name':'x y','hostname':'h','backups_enabled':'no'}",
                        fields("name", "hostname", "backups_enabled")),
                patch("PATCH: name integer", "{'name':1}", fields("name")),
                patch("PATCH: name null", "{'name':null}", fields("name")),
                patch("PATCH: name empty", "{'name':''}", fields("name")),
                patch("PATCH: name with space", "{'name':'bad name'}", fields("name")),
                patch("PATCH: name with underscore", "{'name':'bad_name'}", fields("name")),
                patch("PATCH: name unicode", "{'name':'n\u00e4me'}", fields("name")),
                patch("PATCH: name leading hyphen", "{'name':'-web'}", fields("name")),
                patch("PATCH: name trailing hyphen", "{'name':'web-'}", fields("name")),
                patch("PATCH: name 64 characters", "{'name':'" + "c".repeat(64) + "'}", fields("name")),
                patch("PATCH: name NUL character", "{'name':'a\\u0000b'}", fields("name")),
                patch("PATCH: name taken by another server", "{'name':'$stoppedName'}", fields("name")),
                patch("PATCH: name array", "{'name':['x']}", fields("name")),
                patch("PATCH: hostname null", "{'hostname':null}", fields("hostname")),
                patch("PATCH: hostname single label", "{'hostname':'web01'}", fields("hostname")),
                patch("PATCH: hostname numeric top label", "{'hostname':'10.0.0.1'}", fields("hostname")),
                patch("PATCH: hostname integer", "{'hostname':7}", fields("hostname")),
                patch("PATCH: hostname 64-character label", "{'hostname':'" + "h".repeat(64) + ".example.com'}", fields("hostname")),
                patch("PATCH: backups_enabled string", "{'backups_enabled':'true'}", fields("backups_enabled")),
                patch("PATCH: backups_enabled null", "{'backups_enabled':null}", fields("backups_enabled")),
                patch("PATCH: backups_enabled integer", "{'backups_enabled':1}", fields("backups_enabled")),
                patch("PATCH: backups_enabled object", "{'backups_enabled':{}}", fields("backups_enabled")),
                patch("PATCH: read-only plan_id", "{'plan_id':2}", fields("plan_id")),
                patch("PATCH: read-only os_id", "{'os_id':3}", fields("os_id")),
                patch("PATCH: read-only location", "{'location':'us-east'}", fields("location")),
                patch("PATCH: read-only ssh_key_id", "{'ssh_key_id':$key}", fields("ssh_key_id")),
                patch("PATCH: read-only id", "{'id':1}", fields("id")),
                patch("PATCH: read-only status", "{'status':'stopped'}", fields("status")),
                patch("PATCH: read-only ip_address", "{'ip_address':'203.0.113.99'}", fields("ip_address")),
                patch("PATCH: read-only ipv6_address", "{'ipv6_address':'2001:db8::99'}", fields("ipv6_address")),
                patch("PATCH: read-only created_at", "{'created_at':'2020-01-01T00:00:00Z'}", fields("created_at")),
                patch("PATCH: read-only plan", "{'plan':{'id':2}}", fields("plan")),
                patch("PATCH: unknown field", "{'foo':1}", fields("foo")),
                patch("PATCH: valid name with an unknown field", "{'name':'bi-fine','foo':1}", fields("foo")),
                patch("PATCH: valid backups with a read-only field", "{'backups_enabled':true,'status':'active'}", fields("status")));
    }

    /** Malformed and non-object JSON, on every endpoint that reads a body. */
    static List<BadInputCase> malformedBodies() {
        List<BadInputCase> out = new ArrayList<>();
        Map<String, Body> malformed = new LinkedHashMap<>();
        malformed.put("truncated", lit("{\"name\":\"bi-new\",\"plan_id\":1"));
        malformed.put("unterminated string", lit("{\"name\":\"bi-new"));
        malformed.put("lone brace", lit("{"));
        malformed.put("trailing garbage", lit("{\"name\":\"bi-new\"} x"));
        malformed.put("two objects", lit("{}{}"));
        malformed.put("stray bracket", lit("{}]"));
        malformed.put("block comment", lit("{/* c */\"name\":\"bi-new\"}"));
        malformed.put("line comment", lit("// c\n{\"name\":\"bi-new\"}"));
        malformed.put("hash comment", lit("# c\n{\"name\":\"bi-new\"}"));
        malformed.put("single quotes", lit("{'name':'bi-new'}"));
        malformed.put("unquoted key", lit("{name:\"bi-new\"}"));
        malformed.put("trailing comma", lit("{\"name\":\"bi-new\",}"));
        malformed.put("missing colon", lit("{\"name\" \"bi-new\"}"));
        malformed.put("NaN", lit("{\"plan_id\":NaN}"));
        malformed.put("Infinity", lit("{\"plan_id\":Infinity}"));
        malformed.put("-Infinity", lit("{\"plan_id\":-Infinity}"));
        malformed.put("leading zero", lit("{\"plan_id\":01}"));
        malformed.put("hex number", lit("{\"plan_id\":0x1}"));
        malformed.put("plus sign", lit("{\"plan_id\":+1}"));
        malformed.put("misspelt literal", lit("{\"backups_enabled\":tru}"));
        malformed.put("duplicate key", lit("{\"name\":\"bi-new\",\"name\":\"bi-other\"}"));
        malformed.put("raw newline in a string", lit("{\"name\":\"bi\nnew\"}"));
        malformed.put("bad escape", lit("{\"name\":\"\\x41\"}"));
        malformed.put("bad unicode escape", lit("{\"name\":\"\\u12G4\"}"));
        malformed.put("2000-digit number", lit("{\"plan_id\":" + "9".repeat(2000) + "}"));
        malformed.put("deeply nested arrays", lit("{\"name\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}"));
        malformed.put("deeply nested objects", lit("{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000)));
        malformed.put("invalid UTF-8", Body.bytes(new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                "{\"n\":\"\\xC3\\x28\"}"));
        malformed.put("overlong UTF-8", Body.bytes(overlongCreate(), "{\"name\":\"bi\\xC0\\xADnew\",\"plan_id\":1,\"os_id\":5,"
                + "\"location\":\"us-west\"} (0xC0 0xAD: an overlong '-')"));
        malformed.put("NUL byte", Body.bytes(new byte[] {0}, "\\x00"));
        Map<String, Body> nonObjects = new LinkedHashMap<>();
        nonObjects.put("array", lit("[]"));
        nonObjects.put("array of an object", lit("[{\"name\":\"bi-new\"}]"));
        nonObjects.put("string", lit("\"bi-new\""));
        nonObjects.put("integer", lit("42"));
        nonObjects.put("float", lit("4.2"));
        nonObjects.put("boolean", lit("true"));
        nonObjects.put("null", lit("null"));

        malformed.forEach((n, b) -> out.add(req("create: malformed JSON, " + n, "POST", SERVERS, b, detail(400, null))));
        nonObjects.forEach((n, b) -> out.add(req("create: JSON " + n, "POST", SERVERS, b, fields("non_field_errors"))));

        // The same failures, a few of each, on every other endpoint that reads a body.
        Map<String, String> others = new LinkedHashMap<>();
        others.put("PUT server", "PUT " + ACTIVE);
        others.put("PATCH server", "PATCH " + ACTIVE);
        others.put("ssh-key", "POST " + KEYS);
        others.put("admin account", "POST " + ACCOUNTS);
        others.put("admin credit", "POST " + CREDIT);
        others.put("admin token", "POST " + TOKENS);
        others.put("admin admin-token", "POST " + ADMIN_TOKENS);
        others.put("simulator fault", "PUT " + FAULT);
        others.put("simulator ignore-acpi", "PUT " + ACPI);
        List<String> someMalformed = List.of("truncated", "trailing garbage", "single quotes", "duplicate key", "NaN", "block comment",
                "invalid UTF-8", "deeply nested arrays");
        List<String> someNonObjects = List.of("array", "string", "integer", "null");
        others.forEach((what, route) -> {
            String[] mp = route.split(" ", 2);
            for (String n : someMalformed) {
                out.add(req(what + ": malformed JSON, " + n, mp[0], mp[1], malformed.get(n), detail(400, null)));
            }
            for (String n : someNonObjects) {
                out.add(req(what + ": JSON " + n, mp[0], mp[1], nonObjects.get(n), fields("non_field_errors")));
            }
        });
        return out;
    }

    /** Bodies over 64 KiB (413) and content types other than JSON (415). */
    static List<BadInputCase> sizesAndContentTypes() {
        String bigCreate = "{'name':'" + LONG_STRING + "','plan_id':1,'os_id':5,'location':'us-west'}";
        return List.of(
                req("create: body over 64 KiB", "POST", SERVERS, bigCreate, detail(413, null)),
                req("create: body of 64 KiB + 1 byte", "POST", SERVERS, lit("{}" + " ".repeat(64 * 1024 - 1)), detail(413, null)),
                req("create: body over 64 KiB, chunked (no Content-Length)", "POST", SERVERS, bigCreate, detail(413, null)).chunked(),
                req("create: Content-Length 999999999 declared", "POST", SERVERS, "{}", detail(413, null)).raw()
                        .header("Content-Length", "999999999"),
                req("create: whitespace padding over 64 KiB", "POST", SERVERS, lit(" ".repeat(70_000) + "{}"), detail(413, null)),
                req("PUT server: body over 64 KiB", "PUT", ACTIVE, "{'name':'" + LONG_STRING + "','hostname':'a.example.com','backups_enabled':true}",
                        detail(413, null)),
                req("PATCH server: body over 64 KiB", "PATCH", ACTIVE, "{'hostname':'" + LONG_STRING + "'}", detail(413, null)),
                req("PATCH server: body over 64 KiB, chunked", "PATCH", ACTIVE, "{'hostname':'" + LONG_STRING + "'}", detail(413, null)).chunked(),
                req("ssh-key: body over 64 KiB", "POST", KEYS, "{'public_key':'ssh-ed25519 " + LONG_STRING + "'}", detail(413, null)),
                req("admin account: body over 64 KiB", "POST", ACCOUNTS, "{'name':'" + LONG_STRING + "'}", detail(413, null)),
                req("admin credit: body over 64 KiB", "POST", CREDIT, "{'amount':5,'note':'" + LONG_STRING + "'}", detail(413, null)),
                req("admin token: body over 64 KiB", "POST", TOKENS, "{'name':'" + LONG_STRING + "'}", detail(413, null)),
                req("admin admin-token: body over 64 KiB", "POST", ADMIN_TOKENS, "{'name':'" + LONG_STRING + "'}", detail(413, null)),
                req("simulator fault: body over 64 KiB", "PUT", FAULT, "{'message':'" + LONG_STRING + "'}", detail(413, null)),
                req("simulator ignore-acpi: body over 64 KiB", "PUT", ACPI, "{'ignore':true,'x':'" + LONG_STRING + "'}", detail(413, null)),
                req("catalog: document over 4 MiB", "PUT", CATALOG, lit("#" + "x".repeat(4 * 1024 * 1024 + 16)), detail(413, null)),

                req("create: text/plain", "POST", SERVERS, json(CREATE), detail(415, null)).type("text/plain"),
                req("create: text/html", "POST", SERVERS, json(CREATE), detail(415, null)).type("text/html; charset=utf-8"),
                req("create: application/xml", "POST", SERVERS, json(CREATE), detail(415, null)).type("application/xml"),
                req("create: application/octet-stream", "POST", SERVERS, json(CREATE), detail(415, null)).type("application/octet-stream"),
                req("create: application/jsonx", "POST", SERVERS, json(CREATE), detail(415, null)).type("application/jsonx"),
                req("create: multipart/form-data", "POST", SERVERS,
                        lit("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbi-new\r\n--b--\r\n"), detail(415, null))
                        .type("multipart/form-data; boundary=b"),
                req("create: multipart/form-data with a JSON body", "POST", SERVERS, json(CREATE), detail(415, null))
                        .type("multipart/form-data; boundary=b"),
                req("create: form-urlencoded fields", "POST", SERVERS, lit("name=bi-new&plan_id=1&os_id=5&location=us-west"), detail(415, null))
                        .type("application/x-www-form-urlencoded"),
                req("PUT server: text/plain", "PUT", ACTIVE, json(PUT_OK), detail(415, null)).type("text/plain"),
                req("PATCH server: text/plain", "PATCH", ACTIVE, "{'backups_enabled':true}", detail(415, null)).type("text/plain"),
                req("PATCH server: multipart", "PATCH", ACTIVE, "{'backups_enabled':true}", detail(415, null)).type("multipart/form-data; boundary=x"),
                req("ssh-key: text/plain with a bare key", "POST", KEYS, lit(BadInputKeys.ed25519("plain@bad-input")), detail(415, null))
                        .type("text/plain"),
                req("ssh-key: text/plain", "POST", KEYS, json(KEY_OK), detail(415, null)).type("text/plain"),
                req("admin account: text/plain", "POST", ACCOUNTS, json(ACCOUNT_OK), detail(415, null)).type("text/plain"),
                req("admin credit: text/plain", "POST", CREDIT, json(CREDIT_OK), detail(415, null)).type("text/plain"),
                req("admin token: text/plain", "POST", TOKENS, "{'name':'t'}", detail(415, null)).type("text/plain"),
                req("admin admin-token: application/xml", "POST", ADMIN_TOKENS, "{'name':'t'}", detail(415, null)).type("application/xml"),
                req("simulator fault: text/plain", "PUT", FAULT, json(FAULT_OK), detail(415, null)).type("text/plain"),
                req("simulator ignore-acpi: text/plain", "PUT", ACPI, "{'ignore':true}", detail(415, null)).type("text/plain"));
    }

    /** Actions that do not fit the server's status, other accounts' servers, bodies on body-less actions. */
    static List<BadInputCase> stateAndOwnership() {
        return List.of(
                req("start an active server", "POST", "/api/v1/servers/$active/start/", null, detail(400, "Server is already running")),
                req("stop a stopped server", "POST", "/api/v1/servers/$stopped/stop/", null, detail(400, "Server is not running")),
                req("reboot a stopped server", "POST", "/api/v1/servers/$stopped/reboot/", null, detail(400, "Server is not running")),
                req("reboot a server in error", "POST", "/api/v1/servers/$error/reboot/", null, detail(400, "Server is in an error state")),
                req("start a provisioning server", "POST", "/api/v1/servers/$fProv/start/", null, detail(400, "Server is provisioning")),
                req("stop a provisioning server", "POST", "/api/v1/servers/$fProv/stop/", null, detail(400, "Server is provisioning")),
                req("reboot a provisioning server", "POST", "/api/v1/servers/$fProv/reboot/", null, detail(400, "Server is provisioning")),
                req("start a stopping server", "POST", "/api/v1/servers/$fStopping/start/", null, detail(400, "Server is stopping")),
                req("stop a stopping server", "POST", "/api/v1/servers/$fStopping/stop/", null, detail(400, "Server is already stopping")),
                req("reboot a stopping server", "POST", "/api/v1/servers/$fStopping/reboot/", null, detail(400, "Server is stopping")),
                req("start a deleting server", "POST", "/api/v1/servers/$fDeleting/start/", null, detail(400, "Server is being deleted")),
                req("stop a deleting server", "POST", "/api/v1/servers/$fDeleting/stop/", null, detail(400, "Server is being deleted")),
                req("reboot a deleting server", "POST", "/api/v1/servers/$fDeleting/reboot/", null, detail(400, "Server is being deleted")),
                req("PATCH a deleting server", "PATCH", "/api/v1/servers/$fDeleting/", "{'backups_enabled':true}",
                        detail(400, "Server is being deleted")),
                req("PUT a deleting server", "PUT", "/api/v1/servers/$fDeleting/",
                        "{'name':'f-renamed','hostname':'f.example.com','backups_enabled':true}", detail(400, "Server is being deleted")),
                req("PATCH a deleting server with a bad name", "PATCH", "/api/v1/servers/$fDeleting/", "{'name':'bad name'}", fields("name")),

                req("GET another account's server", "GET", "/api/v1/servers/$other/", null, detail(404, NOT_FOUND)),
                req("PUT another account's server", "PUT", "/api/v1/servers/$other/", json(PUT_OK), detail(404, NOT_FOUND)),
                req("PATCH another account's server", "PATCH", "/api/v1/servers/$other/", "{'backups_enabled':true}", detail(404, NOT_FOUND)),
                req("PATCH another account's server, bad body", "PATCH", "/api/v1/servers/$other/", "{'name':1}", detail(404, NOT_FOUND)),
                req("DELETE another account's server", "DELETE", "/api/v1/servers/$other/", null, detail(404, NOT_FOUND)),
                req("start another account's server", "POST", "/api/v1/servers/$other/start/", null, detail(404, NOT_FOUND)),
                req("stop another account's server", "POST", "/api/v1/servers/$other/stop/", null, detail(404, NOT_FOUND)),
                req("reboot another account's server", "POST", "/api/v1/servers/$other/reboot/", null, detail(404, NOT_FOUND)),
                req("GET another account's SSH key", "GET", "/api/v1/ssh-keys/$otherKey/", null, detail(404, NOT_FOUND)),
                req("DELETE another account's SSH key", "DELETE", "/api/v1/ssh-keys/$otherKey/", null, detail(404, NOT_FOUND)),
                req("GET a nonexistent server", "GET", "/api/v1/servers/$missing/", null, detail(404, NOT_FOUND)),

                // Actions take no body; one that comes anyway is a client error, not something to ignore.
                req("stop with an unknown body field", "POST", "/api/v1/servers/$active/stop/", "{'force':true}", fields("force")),
                req("reboot with malformed JSON", "POST", "/api/v1/servers/$active/reboot/", lit("{\"type\":"), detail(400, null)),
                req("start with a text/plain body", "POST", "/api/v1/servers/$stopped/start/", lit("now please"), detail(415, null))
                        .type("text/plain"),
                req("DELETE server with an unknown body field", "DELETE", ACTIVE, "{'confirm':true}", fields("confirm")));
    }

    /** POST /api/v1/ssh-keys/. */
    static List<BadInputCase> sshKeys() {
        return List.of(
                keyWithout("ssh-key: public_key missing", "public_key", fields("public_key")),
                req("ssh-key: empty object", "POST", KEYS, "{}", fields("public_key")),
                key("ssh-key: public_key null", "public_key", "null", fields("public_key")),
                key("ssh-key: public_key integer", "public_key", "1", fields("public_key")),
                key("ssh-key: public_key array", "public_key", "['" + BadInputKeys.ed25519(null) + "']", fields("public_key")),
                key("ssh-key: public_key object", "public_key", "{}", fields("public_key")),
                key("ssh-key: public_key empty", "public_key", "''", fields("public_key")),
                key("ssh-key: public_key blank", "public_key", "'   '", fields("public_key")),
                key("ssh-key: not a key", "public_key", "'not a key'", fields("public_key")),
                key("ssh-key: type only", "public_key", "'ssh-ed25519'", fields("public_key")),
                key("ssh-key: bad base64", "public_key", "'ssh-ed25519 !!!notbase64!!!'", fields("public_key")),
                key("ssh-key: truncated key data", "public_key", "'" + BadInputKeys.truncated() + "'", fields("public_key")),
                key("ssh-key: trailing bytes in key data", "public_key", "'" + BadInputKeys.trailingBytes() + "'", fields("public_key")),
                key("ssh-key: type does not match data", "public_key", "'" + BadInputKeys.typeMismatch() + "'", fields("public_key")),
                key("ssh-key: ssh-dss", "public_key", "'" + BadInputKeys.dss() + "'", fields("public_key")),
                key("ssh-key: RSA 1024 bits", "public_key", "'" + BadInputKeys.rsa(1024) + "'", fields("public_key")),
                key("ssh-key: two keys on two lines", "public_key",
                        "'" + BadInputKeys.ed25519("one") + "\\n" + BadInputKeys.ed25519("two") + "'", fields("public_key")),
                key("ssh-key: control character in comment", "public_key", "'" + BadInputKeys.ed25519(null) + " a\\u0007b'",
                        fields("public_key")),
                key("ssh-key: NUL in comment", "public_key", "'" + BadInputKeys.ed25519(null) + " a\\u0000b'", fields("public_key")),
                key("ssh-key: over 16 KiB", "public_key", "'" + BadInputKeys.ed25519(null) + " " + "c".repeat(17_000) + "'",
                        fields("public_key")),
                key("ssh-key: private key", "public_key",
                        "'-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----'", fields("public_key")),
                key("ssh-key: authorized_keys options", "public_key", "'command=\\\"ls\\\" " + BadInputKeys.ed25519(null) + "'",
                        fields("public_key")),
                key("ssh-key: already registered", "public_key", "'$keyText'", fields("public_key")),
                key("ssh-key: name integer", "name", "1", fields("name")),
                key("ssh-key: name boolean", "name", "false", fields("name")),
                key("ssh-key: name array", "name", "['k']", fields("name")),
                key("ssh-key: name empty", "name", "''", fields("name")),
                key("ssh-key: name blank", "name", "'   '", fields("name")),
                key("ssh-key: name 101 characters", "name", "'" + "k".repeat(101) + "'", fields("name")),
                key("ssh-key: name NUL character", "name", "'a\\u0000b'", fields("name")),
                key("ssh-key: name lone surrogate", "name", "'a\\udc00b'", fields("name")),
                key("ssh-key: unknown field", "type", "'ssh-ed25519'", fields("type")),
                key("ssh-key: read-only id", "id", "1", fields("id")),
                key("ssh-key: read-only fingerprint", "fingerprint", "'SHA256:x'", fields("fingerprint")),
                key("ssh-key: read-only created_at", "created_at", "'2025-01-01T00:00:00Z'", fields("created_at")),
                req("ssh-key: two errors at once", "POST", KEYS, "{'name':'','public_key':'nope'}", fields("name", "public_key")));
    }

    /** Query parameters of the lists. */
    static List<BadInputCase> queries() {
        List<BadInputCase> out = new ArrayList<>(List.of(
                get("servers: status=bogus", "/api/v1/servers/?status=bogus", fields("status")),
                get("servers: status=ACTIVE (case)", "/api/v1/servers/?status=ACTIVE", fields("status")),
                get("servers: status=deleted (internal)", "/api/v1/servers/?status=deleted", fields("status")),
                get("servers: status with NUL", "/api/v1/servers/?status=active%00", fields("status")),
                get("servers: status with a malformed escape", "/api/v1/servers/?status=%ZZ", either(400)).raw(),
                get("servers: location=mars", "/api/v1/servers/?location=mars", fields("location")),
                get("servers: location=US-WEST (case)", "/api/v1/servers/?location=US-WEST", fields("location")),
                get("servers: location with NUL", "/api/v1/servers/?location=us-west%00", fields("location")),
                get("servers: location 1000 characters", "/api/v1/servers/?location=" + "m".repeat(1000), fields("location")),
                get("servers: location with a malformed escape", "/api/v1/servers/?location=%ZZ", either(400)).raw(),
                get("servers: page with a malformed escape", "/api/v1/servers/?page=%ZZ", either(400, 404)).raw(),
                get("servers: status and location both bad", "/api/v1/servers/?status=x&location=y", either(400)),
                get("admin servers: account=abc", "/admin/v1/servers/?account=abc", fields("account")),
                get("admin servers: account=-1", "/admin/v1/servers/?account=-1", fields("account")),
                get("admin servers: account=1.5", "/admin/v1/servers/?account=1.5", fields("account")),
                get("admin servers: status=bogus", "/admin/v1/servers/?status=bogus", fields("status")),
                get("admin servers: location=mars", "/admin/v1/servers/?location=mars", fields("location")),
                get("ledger: after=abc", "/admin/v1/accounts/$account/ledger/?after=abc", fields("after")),
                get("ledger: after=-1", "/admin/v1/accounts/$account/ledger/?after=-1", fields("after")),
                get("ledger: after=1.5", "/admin/v1/accounts/$account/ledger/?after=1.5", fields("after")),
                get("ledger: after=99999999999999999999", "/admin/v1/accounts/$account/ledger/?after=99999999999999999999", fields("after")),
                get("ledger: limit=abc", "/admin/v1/accounts/$account/ledger/?limit=abc", fields("limit")),
                get("ledger: limit=-5", "/admin/v1/accounts/$account/ledger/?limit=-5", fields("limit"))));
        for (String list : List.of("/api/v1/servers/", "/api/v1/plans/", "/api/v1/os/", "/api/v1/locations/", "/api/v1/ssh-keys/",
                "/admin/v1/accounts/", "/admin/v1/servers/")) {
            String what = list.substring(list.indexOf("v1/") + 3, list.length() - 1) + (list.startsWith("/admin") ? " (admin)" : "");
            out.add(get(what + ": page=0", list + "?page=0", detail(404, INVALID_PAGE)));
            out.add(get(what + ": page=-1", list + "?page=-1", detail(404, INVALID_PAGE)));
            out.add(get(what + ": page=abc", list + "?page=abc", detail(404, INVALID_PAGE)));
            out.add(get(what + ": page=1.5", list + "?page=1.5", detail(404, INVALID_PAGE)));
            out.add(get(what + ": page=99999 past the end", list + "?page=99999", detail(404, INVALID_PAGE)));
            out.add(get(what + ": page=99999999999999999999", list + "?page=99999999999999999999", detail(404, INVALID_PAGE)));
            out.add(get(what + ": page_size=0", list + "?page_size=0", fields("page_size")));
            out.add(get(what + ": page_size=abc", list + "?page_size=abc", fields("page_size")));
            out.add(get(what + ": page_size=-5", list + "?page_size=-5", fields("page_size")));
            out.add(get(what + ": page_size=1.5", list + "?page_size=1.5", fields("page_size")));
        }
        return out;
    }

    /** Every kind of bad Authorization header on representative endpoints (the per-route part covers all routes). */
    static List<BadInputCase> authorization() {
        List<BadInputCase> out = new ArrayList<>();
        Map<String, String[]> targets = new LinkedHashMap<>();
        targets.put("list servers", new String[] {"GET", SERVERS, null});
        targets.put("create server", new String[] {"POST", SERVERS, json(CREATE)});
        targets.put("delete server", new String[] {"DELETE", ACTIVE, null});
        for (var t : targets.entrySet()) {
            String m = t.getValue()[0];
            String p = t.getValue()[1];
            Object b = t.getValue()[2] == null ? null : lit(t.getValue()[2]);
            String n = t.getKey() + ": ";
            out.add(req(n + "no Authorization", m, p, b, detail(401, NOT_PROVIDED)).noAuth());
            out.add(req(n + "empty Authorization", m, p, b, detail(401, NOT_PROVIDED)).auth(""));
            out.add(req(n + "'Bearer' alone", m, p, b, detail(401, "Invalid token header. No credentials provided.")).auth("Bearer"));
            out.add(req(n + "'Bearer a b'", m, p, b, detail(401, "Invalid token header. Token string should not contain spaces."))
                    .auth("Bearer a b"));
            out.add(req(n + "Basic credentials", m, p, b, detail(401, NOT_PROVIDED)).auth("Basic eHl6OnNlY3JldA=="));
            out.add(req(n + "Digest credentials", m, p, b, detail(401, NOT_PROVIDED)).auth("Digest username=\"x\""));
            out.add(req(n + "token without a keyword", m, p, b, detail(401, NOT_PROVIDED)).auth("$token"));
            out.add(req(n + "wrong token", m, p, b, detail(401, INVALID_TOKEN)).auth("Bearer wrong"));
            out.add(req(n + "well-formed unknown token", m, p, b, detail(401, INVALID_TOKEN))
                    .auth("Bearer vpsd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
            out.add(req(n + "token with a character appended", m, p, b, detail(401, INVALID_TOKEN)).auth("Bearer $token0"));
            out.add(req(n + "token of 300 characters", m, p, b, detail(401, INVALID_TOKEN)).auth("Bearer vpsd_" + "A".repeat(295)));
            out.add(req(n + "revoked token", m, p, b, detail(401, INVALID_TOKEN)).auth("Bearer $revoked"));
            out.add(req(n + "revoked token, Token keyword", m, p, b, detail(401, INVALID_TOKEN)).auth("Token $revoked"));
            out.add(req(n + "admin token", m, p, b, detail(403, null)).auth("Bearer $admin"));
        }
        out.add(req("admin accounts: customer token", "GET", ACCOUNTS, null, detail(403, null)).auth("Bearer $token"));
        out.add(req("admin accounts: revoked admin token", "GET", ACCOUNTS, null, detail(401, INVALID_TOKEN)).auth("Bearer $revokedAdmin"));
        out.add(req("admin accounts: revoked customer token", "GET", ACCOUNTS, null, detail(401, INVALID_TOKEN)).auth("Bearer $revoked"));
        out.add(req("admin credit: customer token", "POST", CREDIT, json(CREDIT_OK), detail(403, null)).auth("Bearer $token"));
        out.add(req("admin credit: 'Bearer' alone", "POST", CREDIT, json(CREDIT_OK), detail(401, null)).auth("Bearer"));
        out.add(req("admin credit: Basic credentials", "POST", CREDIT, json(CREDIT_OK), detail(401, NOT_PROVIDED)).auth("Basic eHl6"));
        out.add(req("PATCH server: another account's token", "PATCH", ACTIVE, "{'backups_enabled':true}", detail(404, NOT_FOUND))
                .auth("Bearer $otherToken"));
        return out;
    }

    /** Invalid bodies of the provider's API. */
    static List<BadInputCase> adminBodies() {
        return List.of(
                accountWithout("admin account: name missing", "name", fields("name")),
                req("admin account: empty object", "POST", ACCOUNTS, "{}", fields("name")),
                account("admin account: name null", "name", "null", fields("name")),
                account("admin account: name integer", "name", "1", fields("name")),
                account("admin account: name array", "name", "['a']", fields("name")),
                account("admin account: name empty", "name", "''", fields("name")),
                account("admin account: name blank", "name", "'   '", fields("name")),
                account("admin account: name 101 characters", "name", "'" + "n".repeat(101) + "'", fields("name")),
                account("admin account: name NUL character", "name", "'a\\u0000b'", fields("name")),
                account("admin account: name lone surrogate", "name", "'a\\ud800'", fields("name")),
                account("admin account: name taken", "name", "'$accountName'", fields("name")),
                account("admin account: credit negative", "credit", "-1", fields("credit")),
                account("admin account: credit not a number", "credit", "'abc'", fields("credit")),
                account("admin account: credit 7 decimals", "credit", "0.1234567", fields("credit")),
                account("admin account: credit 7 decimals as string", "credit", "'0.1234567'", fields("credit")),
                account("admin account: credit a trillion", "credit", "1000000000000", fields("credit")),
                account("admin account: credit 1e400", "credit", "1e400", fields("credit")),
                account("admin account: credit 1e-400", "credit", "1e-400", fields("credit")),
                account("admin account: credit boolean", "credit", "true", fields("credit")),
                account("admin account: credit array", "credit", "[10]", fields("credit")),
                account("admin account: credit object", "credit", "{}", fields("credit")),
                account("admin account: credit 'NaN'", "credit", "'NaN'", fields("credit")),
                account("admin account: credit 'Infinity'", "credit", "'Infinity'", fields("credit")),
                account("admin account: credit '1e999999999'", "credit", "'1e999999999'", fields("credit")),
                account("admin account: unknown field", "email", "'a@example.com'", fields("email")),
                account("admin account: read-only id", "id", "1", fields("id")),
                account("admin account: read-only balance", "balance", "100", fields("balance")),
                account("admin account: read-only suspended", "suspended", "true", fields("suspended")),

                creditWithout("admin credit: amount missing", "amount", fields("amount")),
                req("admin credit: empty object", "POST", CREDIT, "{}", fields("amount")),
                credit("admin credit: amount null", "amount", "null", fields("amount")),
                credit("admin credit: amount negative", "amount", "-5", fields("amount")),
                credit("admin credit: amount zero", "amount", "0", fields("amount")),
                credit("admin credit: amount negative string", "amount", "'-5'", fields("amount")),
                credit("admin credit: amount not a number", "amount", "'abc'", fields("amount")),
                credit("admin credit: amount empty string", "amount", "''", fields("amount")),
                credit("admin credit: amount 7 decimals", "amount", "1.1234567", fields("amount")),
                credit("admin credit: amount 7 decimals as string", "amount", "'1.1234567'", fields("amount")),
                credit("admin credit: amount 1e-7", "amount", "1e-7", fields("amount")),
                credit("admin credit: amount a trillion", "amount", "1000000000000", fields("amount")),
                credit("admin credit: amount 1e400", "amount", "1e400", fields("amount")),
                credit("admin credit: amount 99999999999999999999", "amount", "99999999999999999999", fields("amount")),
                credit("admin credit: amount boolean", "amount", "true", fields("amount")),
                credit("admin credit: amount array", "amount", "[5]", fields("amount")),
                credit("admin credit: amount object", "amount", "{'value':5}", fields("amount")),
                credit("admin credit: amount 'NaN'", "amount", "'NaN'", fields("amount")),
                credit("admin credit: amount '-Infinity'", "amount", "'-Infinity'", fields("amount")),
                credit("admin credit: amount 41-character string", "amount", "'" + "1".repeat(41) + "'", fields("amount")),
                credit("admin credit: note integer", "note", "1", fields("note")),
                credit("admin credit: note array", "note", "['n']", fields("note")),
                credit("admin credit: note 501 characters", "note", "'" + "n".repeat(501) + "'", fields("note")),
                credit("admin credit: note NUL character", "note", "'a\\u0000b'", fields("note")),
                credit("admin credit: unknown field", "currency", "'EUR'", fields("currency")),
                credit("admin credit: balance field", "balance", "100", fields("balance")),
                req("admin credit: nonexistent account", "POST", "/admin/v1/accounts/$missing/credit/", json(CREDIT_OK), detail(404, NOT_FOUND)),
                req("admin credit: bad amount for a nonexistent account", "POST", "/admin/v1/accounts/$missing/credit/", "{'amount':-1}",
                        detail(404, NOT_FOUND)),

                req("admin token: name integer", "POST", TOKENS, "{'name':1}", fields("name")),
                req("admin token: name array", "POST", TOKENS, "{'name':['t']}", fields("name")),
                req("admin token: name 101 characters", "POST", TOKENS, "{'name':'" + "t".repeat(101) + "'}", fields("name")),
                req("admin token: name NUL character", "POST", TOKENS, "{'name':'a\\u0000b'}", fields("name")),
                req("admin token: unknown field", "POST", TOKENS, "{'name':'t','scope':'all'}", fields("scope")),
                req("admin token: read-only token", "POST", TOKENS, "{'token':'vpsd_x'}", fields("token")),
                req("admin token: read-only hint", "POST", TOKENS, "{'hint':'vpsd_x'}", fields("hint")),
                req("admin token: nonexistent account", "POST", "/admin/v1/accounts/$missing/tokens/", "{'name':'t'}", detail(404, NOT_FOUND)),
                req("admin admin-token: name integer", "POST", ADMIN_TOKENS, "{'name':1}", fields("name")),
                req("admin admin-token: name 101 characters", "POST", ADMIN_TOKENS, "{'name':'" + "t".repeat(101) + "'}", fields("name")),
                req("admin admin-token: name NUL character", "POST", ADMIN_TOKENS, "{'name':'a\\u0000b'}", fields("name")),
                req("admin admin-token: unknown field", "POST", ADMIN_TOKENS, "{'account_id':$account}", fields("account_id")),
                req("admin admin-token: read-only id", "POST", ADMIN_TOKENS, "{'id':1}", fields("id")),
                req("revoke a nonexistent token", "DELETE", "/admin/v1/tokens/$missing/", null, detail(404, NOT_FOUND)));
    }

    /** PUT /admin/v1/catalog: documents that are not catalogs, or invalid ones. */
    static List<BadInputCase> catalogDocuments() {
        return List.of(
                catalog("catalog: empty document", lit(""), detail(400, null)),
                catalog("catalog: malformed YAML", lit("plans: [\n  - id: 1\n"), detail(400, null)),
                catalog("catalog: malformed JSON", lit("{\"plans\": ["), detail(400, null)),
                catalog("catalog: a list", lit("- 1\n- 2\n"), detail(400, null)),
                catalog("catalog: a string", lit("just text"), detail(400, null)),
                catalog("catalog: a number", lit("42"), detail(400, null)),
                catalog("catalog: plans not a list", lit("plans: 5"), detail(400, null)),
                catalog("catalog: unknown key", lit("plans: []\nflavours: []"), detail(400, null)),
                catalog("catalog: plan id not a number", lit("plans: [{id: abc, name: x, vcpus: 1, memory: 512, storage: 10, bandwidth: 1}]"),
                        detail(400, null)),
                catalog("catalog: plan vcpus out of int range", lit("plans: [{id: 9, name: x, vcpus: 99999999999, memory: 512, storage: 10,"
                        + " bandwidth: 1, price_hourly: 1}]"), detail(400, null)),
                catalog("catalog: null plan", lit("plans: [null]"), detail(400, null)),
                catalog("catalog: null OS", lit("os: [null]"), detail(400, null)),
                catalog("catalog: null location", lit("locations: [null]"), detail(400, null)),
                catalog("catalog: empty plan", lit("plans: [{}]"), detail(400, null)),
                catalog("catalog: YAML alias bomb", lit("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                        + "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nplans: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"),
                        detail(400, null)),
                catalog("catalog: plan vcpus 0", change("plan vcpus 0", c -> plan(c, 0).put("vcpus", 0)), detail(400, null)),
                catalog("catalog: duplicate plan id", change("plan 2 numbered 1", c -> plan(c, 1).put("id", 1)), detail(400, null)),
                catalog("catalog: negative price", change("a negative price", c -> plan(c, 0).put("price_hourly", -1)), detail(400, null)),
                catalog("catalog: price with 7 decimals", change("a price of 0.1234567", c -> plan(c, 0).put("price_hourly",
                        new java.math.BigDecimal("0.1234567"))), detail(400, null)),
                catalog("catalog: plan name 101 characters", change("a long plan name", c -> plan(c, 0).put("name", "p".repeat(101))),
                        detail(400, null)),
                catalog("catalog: OS image empty", change("an empty image", c -> os(c, 0).put("image", "")), detail(400, null)),
                catalog("catalog: OS image 501 characters", change("a long image", c -> os(c, 0).put("image", "i".repeat(501))),
                        detail(400, null)),
                catalog("catalog: OS name 101 characters", change("a long OS name", c -> os(c, 0).put("name", "o".repeat(101))),
                        detail(400, null)),
                catalog("catalog: location code with space", change("code 'US WEST'", c -> location(c, 0).put("code", "US WEST")),
                        detail(400, null)),
                catalog("catalog: location name 101 characters", change("a long location name", c -> location(c, 0).put("name",
                        "L".repeat(101))), detail(400, null)),
                catalog("catalog: IPv4 range not an address", change("cidr 300.0.0.0/24", c -> range(c, "ipv4").put("cidr", "300.0.0.0/24")),
                        detail(400, null)),
                catalog("catalog: IPv4 range larger than /12", change("cidr 10.0.0.0/8", c -> range(c, "ipv4").put("cidr", "10.0.0.0/8")),
                        detail(400, null)),
                catalog("catalog: gateway outside its range", change("gateway 192.0.2.1", c -> range(c, "ipv4").put("gateway", "192.0.2.1")),
                        detail(400, null)),
                catalog("catalog: null IPv4 range", change("ipv4: [null]", c -> location(c, 0).putArray("ipv4").addNull()), detail(400, null)),
                catalog("catalog: null resolver", change("dns: [null]", c -> location(c, 0).putArray("dns").addNull()), detail(400, null)),
                catalog("catalog: resolver not an address", change("dns: [resolver.example]", c -> location(c, 0).putArray("dns")
                        .add("resolver.example")), detail(400, null)),
                catalog("catalog: 60 resolvers for a new range", change("a new range and 60 resolvers", c -> {
                    ObjectNode l = location(c, 0);
                    ((ArrayNode) l.get("ipv4")).addObject().put("cidr", "192.0.2.0/24").put("gateway", "192.0.2.1");
                    ArrayNode dns = l.putArray("dns");
                    for (int i = 2; i < 62; i++) {
                        dns.add("192.0.2." + i);
                    }
                }), detail(400, null)),
                catalog("catalog: null host", change("hosts: [null]", c -> location(c, 0).putArray("hosts").addNull()), detail(400, null)),
                catalog("catalog: host with 0 vcpus", change("a host with 0 vcpus", c -> host(c, "h-zero", 0, "kvm", null)), detail(400, null)),
                catalog("catalog: host domain type xen", change("a xen host", c -> host(c, "h-xen", 8, "xen", null)), detail(400, null)),
                catalog("catalog: host name 101 characters", change("a host with a long name", c -> host(c, "h".repeat(101), 8, "kvm", null)),
                        detail(400, null)),
                catalog("catalog: host bridge 65 characters", change("a host with a long bridge", c -> host(c, "h-bridge", 8, "kvm",
                        "b".repeat(65))), detail(400, null)));
    }

    /** The simulated hypervisor's fault injection. */
    static List<BadInputCase> simulator() {
        return List.of(
                req("simulator fault: unknown operation", "PUT", "/admin/v1/simulator/faults/explode/", json(FAULT_OK), detail(404, null)),
                req("simulator fault: operation in capitals", "PUT", "/admin/v1/simulator/faults/START/", json(FAULT_OK), detail(404, null)),
                fault("simulator fault: fail_next negative", "fail_next", "-1", fields("fail_next")),
                fault("simulator fault: fail_next over a million", "fail_next", "1000001", fields("fail_next")),
                fault("simulator fault: fail_next string", "fail_next", "'3'", fields("fail_next")),
                fault("simulator fault: fail_next float", "fail_next", "1.5", fields("fail_next")),
                fault("simulator fault: fail_next boolean", "fail_next", "true", fields("fail_next")),
                fault("simulator fault: fail_next 99999999999999999999", "fail_next", "99999999999999999999", fields("fail_next")),
                fault("simulator fault: failure_rate 2", "failure_rate", "2", fields("failure_rate")),
                fault("simulator fault: failure_rate negative", "failure_rate", "-0.1", fields("failure_rate")),
                fault("simulator fault: failure_rate not a number", "failure_rate", "'often'", fields("failure_rate")),
                fault("simulator fault: failure_rate 'NaN'", "failure_rate", "'NaN'", fields("failure_rate")),
                fault("simulator fault: failure_rate boolean", "failure_rate", "true", fields("failure_rate")),
                fault("simulator fault: failure_rate array", "failure_rate", "[0.5]", fields("failure_rate")),
                fault("simulator fault: failure_rate 1e400", "failure_rate", "1e400", fields("failure_rate")),
                fault("simulator fault: message integer", "message", "1", fields("message")),
                fault("simulator fault: message 501 characters", "message", "'" + "m".repeat(501) + "'", fields("message")),
                fault("simulator fault: message NUL character", "message", "'a\\u0000b'", fields("message")),
                fault("simulator fault: unknown field", "delay", "5", fields("delay")),
                fault("simulator fault: read-only operation", "operation", "'stop'", fields("operation")),
                req("simulator fault: two errors at once", "PUT", FAULT, "{'fail_next':-1,'failure_rate':2}", fields("fail_next", "failure_rate")),
                req("simulator ignore-acpi: empty object", "PUT", ACPI, "{}", fields("ignore")),
                req("simulator ignore-acpi: no body", "PUT", ACPI, null, fields("ignore")),
                req("simulator ignore-acpi: string", "PUT", ACPI, "{'ignore':'true'}", fields("ignore")),
                req("simulator ignore-acpi: integer", "PUT", ACPI, "{'ignore':1}", fields("ignore")),
                req("simulator ignore-acpi: null", "PUT", ACPI, "{'ignore':null}", fields("ignore")),
                req("simulator ignore-acpi: unknown field", "PUT", ACPI, "{'ignore':true,'always':true}", fields("always")),
                req("simulator guest power-off: nonexistent server", "POST", "/admin/v1/simulator/servers/$missing/guest-power-off/", null,
                        detail(404, NOT_FOUND)),
                req("simulator crash: nonexistent server", "POST", "/admin/v1/simulator/servers/$missing/crash/", null, detail(404, NOT_FOUND)));
    }

    /** What a client can get wrong below the API: unknown paths, bad escapes, headers and lengths. */
    static List<BadInputCase> protocol() {
        return List.of(
                get("unknown path: /api/v1/server/", "/api/v1/server/", detail(404, null)),
                get("unknown path: /api/v2/servers/", "/api/v2/servers/", detail(404, null)),
                get("unknown path: /api/v1/servers/{id}/explode/", "/api/v1/servers/$active/explode/", detail(404, null)),
                req("unknown path: POST /api/v1/servers/{id}/destroy/", "POST", "/api/v1/servers/$active/destroy/", null, detail(404, null)),
                get("unknown path: /admin/v1/nothing/", "/admin/v1/nothing/", detail(404, null)),
                get("unknown path: without a token", "/api/v1/nothing/", detail(404, null)).noAuth(),
                get("unknown path: /", "/", detail(404, null)),
                get("server id %00", "/api/v1/servers/%00/", detailAnyOf(400, 404)),
                get("admin account id %00", "/admin/v1/accounts/%00/", detailAnyOf(400, 404)),
                get("server id with a malformed escape", "/api/v1/servers/%ZZ/", detailAnyOf(400, 404)).raw(),
                get("server id that is an overlong UTF-8 slash", "/api/v1/servers/%C0%AF/", detailAnyOf(400, 404)).raw(),
                req("create: Content-Length not a number", "POST", SERVERS, json(CREATE), detail(400, null)).raw().header("Content-Length", "abc"),
                req("create: Content-Length longer than the body", "POST", SERVERS, "{}", detail(400, null)).raw().header("Content-Length", "100"),
                req("create without the trailing slash, bad body", "POST", "/api/v1/servers", "{'name':1}",
                        fields("name", "plan_id", "os_id", "location")),
                req("PATCH without the trailing slash, bad body", "PATCH", "/api/v1/servers/$active", "{'hostname':'x'}", fields("hostname")),
                req("PATCH with doubled slashes, bad body", "PATCH", "//api//v1/servers//$active//", "{'hostname':'x'}", fields("hostname")),
                req("X-HTTP-Method-Override: DELETE on a POST", "POST", ACTIVE, null, detailAnyOf(400, 405))
                        .header("X-HTTP-Method-Override", "DELETE"),
                get("X-HTTP-Method-Override: POST on a GET of start", "/api/v1/servers/$stopped/start/", detailAnyOf(400, 405))
                        .header("X-HTTP-Method-Override", "POST"),
                req("create: gzip Content-Encoding", "POST", SERVERS, Body.bytes(gzip(json(CREATE)), "gzip of a valid create body"),
                        detailAnyOf(400, 415)).header("Content-Encoding", "gzip"),
                get("URI of 20000 characters", "/api/v1/servers/?status=" + "a".repeat(20_000), detail(414, null)).raw(),
                get("header of 20 KiB", "/api/v1/servers/", detail(431, null)).raw().header("X-Padding", "p".repeat(20 * 1024)));
    }

    // ------------------------------------------------------------------ generated from the route table

    /**
     * For every route of {@link HttpApi#routes}: no token, an unknown token, a revoked token, the
     * other kind of token (401/403, with a valid id and body, so that a hole would show as a
     * change); every bad id in its path (404); and every method its path does not serve (405).
     */
    static List<BadInputCase> perRoute() {
        List<BadInputCase> out = new ArrayList<>();
        Map<String, Set<String>> methodsByPath = new TreeMap<>();
        for (Route r : routes()) {
            String method = r.method().name();
            methodsByPath.computeIfAbsent(r.path(), p -> new TreeSet<>()).add(method);
            String path = validPath(r.path());
            Object body = validBody(method, r.path());
            String n = method + " " + r.path() + ": ";
            if (r.access() != Route.Access.PUBLIC) {
                boolean admin = r.access() == Route.Access.ADMIN;
                out.add(req(n + "no token", method, path, body, detail(401, NOT_PROVIDED)).noAuth());
                out.add(req(n + "unknown token", method, path, body, detail(401, INVALID_TOKEN))
                        .auth(admin ? "Bearer vpsdadm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" : "Bearer vpsd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
                out.add(req(n + "revoked token", method, path, body, detail(401, INVALID_TOKEN))
                        .auth(admin ? "Bearer $revokedAdmin" : "Bearer $revoked"));
                out.add(req(n + (admin ? "customer token" : "admin token"), method, path, body, detail(403, null))
                        .auth(admin ? "Bearer $token" : "Bearer $admin"));
            }
            if (r.path().contains("{id}")) {
                for (String bad : List.of("abc", "-1", "1.5", "0", "99999999999999999999", "1e3", "%201", "%EF%BC%91", "9".repeat(300),
                        "$missing")) {
                    String label = bad.length() > 30 ? "300 digits" : bad;
                    out.add(req(n + "id " + label, method, r.path().replace("{id}", bad).replace("{operation}", "start") + "/", body,
                            detail(404, NOT_FOUND)));
                }
            }
        }
        for (var e : methodsByPath.entrySet()) {
            for (String m : List.of("GET", "POST", "PUT", "PATCH", "DELETE")) {
                if (!e.getValue().contains(m)) {
                    out.add(req(m + " " + e.getKey() + ": method not allowed", m, validPath(e.getKey()), null,
                            detail(405, "Method \"" + m + "\" not allowed.")));
                }
            }
        }
        return out;
    }

    /** The route table itself, read from {@link HttpApi} (the handlers are not called). */
    static List<Route> routes() {
        return HttpApi.routes(new HttpApi.Services(null, null, null, null, null, null, null, null, () -> true, Map::of, null), null);
    }

    private static String validPath(String template) {
        String id = template.startsWith("/api/v1/ssh-keys/") ? "$key"
                : template.startsWith("/admin/v1/accounts/") ? "$account"
                : template.startsWith("/admin/v1/tokens/") ? "$spareToken"
                : "$active";
        return template.replace("{id}", id).replace("{operation}", "start") + "/";
    }

    private static Object validBody(String method, String template) {
        return switch (method + " " + template) {
            case "POST /api/v1/servers" -> json(CREATE);
            case "PUT /api/v1/servers/{id}" -> json(PUT_OK);
            case "PATCH /api/v1/servers/{id}" -> "{'backups_enabled':true}";
            case "POST /api/v1/ssh-keys" -> json(KEY_OK);
            case "POST /admin/v1/accounts" -> json(ACCOUNT_OK);
            case "POST /admin/v1/accounts/{id}/credit" -> json(CREDIT_OK);
            case "POST /admin/v1/accounts/{id}/tokens", "POST /admin/v1/admin-tokens" -> "{'name':'bi-new-token'}";
            case "PUT /admin/v1/catalog" -> change("plan 2 renamed", c -> plan(c, 1).put("name", "Renamed VPS"));
            case "PUT /admin/v1/simulator/faults/{operation}" -> json(FAULT_OK);
            case "PUT /admin/v1/simulator/ignore-acpi" -> "{'ignore':true}";
            default -> null;
        };
    }

    // ------------------------------------------------------------------ checks of the table itself

    @Test
    void tableCoversEveryRoute() {
        List<BadInputCase> all = cases().toList();
        List<String> uncovered = new ArrayList<>();
        for (Route r : routes()) {
            if (r.access() == Route.Access.PUBLIC) {
                continue; // nothing to spoil but the method, which the 405 cases cover per path
            }
            String regex = r.path().replaceAll("\\{[a-z]+}", "[^/?]+") + "/?(\\?.*)?";
            long n = all.stream().filter(c -> c.method().equals(r.method().name()) && c.path().matches(regex)).count();
            if (n < 3) {
                uncovered.add(r.method() + " " + r.path() + " (" + n + " cases)");
            }
        }
        assertThat(uncovered).as("routes with fewer than 3 bad-input cases").isEmpty();
        assertThat(all).hasSizeGreaterThan(500);
    }

    @Test
    void caseNamesAreUnique() {
        Set<String> seen = new HashSet<>();
        List<String> duplicates = cases().map(BadInputCase::name).filter(n -> !seen.add(n)).toList();
        assertThat(duplicates).isEmpty();
    }

    // ------------------------------------------------------------------ table helpers

    /** A valid create body whose name has a hyphen written as the overlong UTF-8 sequence C0 AD. */
    private static byte[] overlongCreate() {
        String[] parts = json(CREATE).split("bi-new");
        byte[] head = parts[0].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] tail = parts[1].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(head);
        out.writeBytes(new byte[] {'b', 'i', (byte) 0xC0, (byte) 0xAD, 'n', 'e', 'w'});
        out.writeBytes(tail);
        return out.toByteArray();
    }

    private static byte[] gzip(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (var z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Table JSON: {@code '} stands for {@code "}. */
    static String json(String singleQuoted) {
        return singleQuoted.replace('\'', '"');
    }

    static String json(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(JsonNodeFactory.instance.textNode(k)).append(':')
                .append(json(v)));
        return sb.append('}').toString();
    }

    /** A body written exactly as given (no quote replacement). */
    static Body lit(String text) {
        return Body.text(text);
    }

    static Body change(String description, Consumer<ObjectNode> change) {
        return Body.catalog(description, change);
    }

    static BadInputCase req(String name, String method, String path, Object body, Expect e) {
        Body b = body == null ? null : body instanceof Body given ? given : Body.text(json((String) body));
        return BadInputCase.of(name, method, path, b, e);
    }

    static BadInputCase get(String name, String path, Expect e) {
        return req(name, "GET", path, null, e);
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String with(Map<String, String> base, String field, String value) {
        Map<String, String> m = new LinkedHashMap<>(base);
        if (value == null) {
            m.remove(field);
        } else {
            m.put(field, value);
        }
        return json(m);
    }

    static BadInputCase create(String name, String field, String value, Expect e) {
        return req("create: " + name, "POST", SERVERS, lit(with(CREATE, field, value)), e);
    }

    static BadInputCase createWithout(String name, String field, Expect e) {
        return req("create: " + name, "POST", SERVERS, lit(with(CREATE, field, null)), e);
    }

    static BadInputCase put(String name, String field, String value, Expect e) {
        return req(name, "PUT", ACTIVE, lit(with(PUT_OK, field, value)), e);
    }

    static BadInputCase putWithout(String name, String field, Expect e) {
        return req(name, "PUT", ACTIVE, lit(with(PUT_OK, field, null)), e);
    }

    static BadInputCase patch(String name, String body, Expect e) {
        return req(name, "PATCH", ACTIVE, body, e);
    }

    static BadInputCase key(String name, String field, String value, Expect e) {
        return req(name, "POST", KEYS, lit(with(KEY_OK, field, value)), e);
    }

    static BadInputCase keyWithout(String name, String field, Expect e) {
        return req(name, "POST", KEYS, lit(with(KEY_OK, field, null)), e);
    }

    static BadInputCase account(String name, String field, String value, Expect e) {
        return req(name, "POST", ACCOUNTS, lit(with(ACCOUNT_OK, field, value)), e);
    }

    static BadInputCase accountWithout(String name, String field, Expect e) {
        return req(name, "POST", ACCOUNTS, lit(with(ACCOUNT_OK, field, null)), e);
    }

    static BadInputCase credit(String name, String field, String value, Expect e) {
        return req(name, "POST", CREDIT, lit(with(CREDIT_OK, field, value)), e);
    }

    static BadInputCase creditWithout(String name, String field, Expect e) {
        return req(name, "POST", CREDIT, lit(with(CREDIT_OK, field, null)), e);
    }

    static BadInputCase fault(String name, String field, String value, Expect e) {
        return req(name, "PUT", FAULT, lit(with(FAULT_OK, field, value)), e);
    }

    static BadInputCase catalog(String name, Body body, Expect e) {
        return req(name, "PUT", CATALOG, body, e).type("application/yaml");
    }

    private static ObjectNode plan(ObjectNode catalog, int i) {
        return (ObjectNode) catalog.get("plans").get(i);
    }

    private static ObjectNode os(ObjectNode catalog, int i) {
        return (ObjectNode) catalog.get("os").get(i);
    }

    private static ObjectNode location(ObjectNode catalog, int i) {
        return (ObjectNode) catalog.get("locations").get(i);
    }

    private static ObjectNode range(ObjectNode catalog, String family) {
        return (ObjectNode) location(catalog, 0).get(family).get(0);
    }

    private static void host(ObjectNode catalog, String name, int vcpus, String domainType, String bridge) {
        ObjectNode location = location(catalog, 0);
        ArrayNode hosts = location.get("hosts") instanceof ArrayNode existing ? existing : location.putArray("hosts");
        ObjectNode h = hosts.addObject().put("name", name).put("uri", "qemu+ssh://root@" + "h1.example.com/system").put("vcpus", vcpus)
                .put("memory", 65_536).put("domain_type", domainType);
        if (bridge != null) {
            h.put("bridge", bridge);
        }
    }
}
