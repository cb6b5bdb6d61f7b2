package org.vpsd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;

/**
 * The documentation's own client snippets, run unchanged against a real vpsd.
 *
 * <p>The reference page of the Servers API exists in five languages ({@code docs/reference/}); its
 * 24 client snippets (cURL, Python {@code requests}, JavaScript {@code fetch}, PHP curl) are kept one
 * per file in {@code docs/snippets/}. This test first proves the files are the page's snippets, all
 * of them, in every language; then runs each one with its real interpreter against a vpsd process,
 * changing only what a reader changes (base URL, token, server id), and checks what it prints and
 * what it did to the server, through the API.
 *
 * <p>Each snippet runs in an account of its own (the create snippets all use the name
 * {@code web-server-02}, and names are unique per account), on a server that is first brought to the
 * state the documented call needs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocSnippetsIT {
    private static final Path REPO = Path.of(System.getProperty("vpsd.repo", "..")).toAbsolutePath().normalize();
    private static final Path REFERENCE = REPO.resolve("docs/reference");
    private static final Path SNIPPETS = REPO.resolve("docs/snippets");
    /** The reference page's translations: {@code docs/reference/servers-api.LANG.txt}. */
    private static final Map<String, String> LANGUAGES = languages();
    private static final Duration STATE_TIMEOUT = Duration.ofSeconds(60);
    private static final String PROVISIONING_MESSAGE = "Server is being provisioned. This may take 2-5 minutes.";
    /** The PHP snippets keep the decoded response in a variable and print nothing. */
    private static final Pattern PHP_DECODED = Pattern.compile("\\$(\\w+) = json_decode\\(\\$response, true\\);");

    @TempDir
    static Path tmp;

    private static VpsdProcess vpsd;
    private static RuntimeException vpsdFailure;
    private static TestDatabase database;
    private static Http admin;
    private static DocSnippetRunner runner;
    private static final Map<DocSnippetKind, Optional<String>> interpreterProblems = new EnumMap<>(DocSnippetKind.class);

    private static Map<String, String> languages() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("eu", "Basque");
        m.put("sq", "Albanian");
        m.put("yo", "Yoruba");
        m.put("ta", "Tamil");
        m.put("zh", "Chinese");
        return m;
    }

    @AfterAll
    static void stopVpsd() {
        if (vpsd != null) {
            vpsd.close();
        }
        if (database != null) {
            database.drop();
        }
    }

    // ---------------------------------------------------------------- the files are the page's snippets

    @Test
    @Order(1)
    void everySnippetFileAppearsVerbatimInEveryLanguageOfTheReferencePage() {
        List<DocSnippet> snippets = DocSnippet.loadAll(SNIPPETS);
        assertThat(snippets).as("snippet files in " + SNIPPETS).isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (var lang : LANGUAGES.entrySet()) {
            List<String> page = DocSnippet.normalizedLines(read(page(lang.getKey())));
            for (DocSnippet s : snippets) {
                if (DocSnippet.occurrences(page, DocSnippet.normalizedLines(s.text())) == 0) {
                    missing.add(s.file() + " is not in " + page(lang.getKey()).getFileName() + " (" + lang.getValue() + ")");
                }
            }
        }
        assertThat(missing).as("snippets that differ from the documentation (compared line by line, leading whitespace and "
                + "blank lines ignored)").isEmpty();
        // And the files' own layout is the documentation's: each is, byte for byte, in a page that keeps indentation.
        List<String> pages = LANGUAGES.keySet().stream().map(l -> read(page(l))).toList();
        List<String> reformatted = snippets.stream().filter(s -> pages.stream().noneMatch(p -> p.contains(s.text())))
                .map(DocSnippet::file).toList();
        assertThat(reformatted).as("snippet files whose exact text (indentation, blank lines) is in none of the pages").isEmpty();
    }

    @Test
    @Order(2)
    void everySnippetOfTheReferencePageHasItsFile() {
        List<DocSnippet> snippets = DocSnippet.loadAll(SNIPPETS);
        List<String> problems = new ArrayList<>();
        for (var lang : LANGUAGES.entrySet()) {
            List<String> page = DocSnippet.normalizedLines(read(page(lang.getKey())));
            for (DocSnippetKind kind : DocSnippetKind.values()) {
                // The page lines that the files of this kind cover, and the lines that open a snippet of this kind.
                BitSet covered = new BitSet();
                for (DocSnippet s : snippets) {
                    if (s.kind() != kind) {
                        continue;
                    }
                    List<String> lines = DocSnippet.normalizedLines(s.text());
                    for (int i = 0; i + lines.size() <= page.size(); i++) {
                        if (page.subList(i, i + lines.size()).equals(lines)) {
                            covered.set(i, i + lines.size());
                        }
                    }
                }
                int openings = 0;
                for (int i = 0; i < page.size(); i++) {
                    if (kind.opening.test(page.get(i))) {
                        openings++;
                        if (!covered.get(i)) {
                            problems.add(page(lang.getKey()).getFileName() + " line '" + page.get(i) + "' (normalized line " + (i + 1)
                                    + ") opens a " + kind.label + " snippet that has no file in docs/snippets/");
                        }
                    }
                }
                long files = snippets.stream().filter(s -> s.kind() == kind).count();
                if (openings != files) {
                    problems.add(page(lang.getKey()).getFileName() + " has " + openings + " " + kind.label + " snippets, docs/snippets/ has "
                            + files);
                }
            }
        }
        assertThat(problems).isEmpty();
        Map<DocSnippetKind, Long> perKind = snippets.stream().collect(Collectors.groupingBy(DocSnippet::kind,
                () -> new EnumMap<>(DocSnippetKind.class), Collectors.counting()));
        System.out.println("Reference page snippets: " + snippets.size() + " " + perKind);
    }

    // ---------------------------------------------------------------- the snippets work against vpsd

    @TestFactory
    @Order(3)
    Stream<DynamicTest> everySnippetWorksAgainstVpsd() {
        return DocSnippet.loadAll(SNIPPETS).stream().map(s -> DynamicTest.dynamicTest(
                s.file() + " (" + s.kind().label + ", " + s.endpoint() + ")", () -> check(s)));
    }

    /** An account of the running vpsd: its token and an API client with it. */
    private record Account(String name, String token, Http api) {}

    private void check(DocSnippet s) {
        try {
            checkEndpoint(s);
        } catch (AssertionError e) {
            throw new AssertionError(s.file() + ": " + e.getMessage(), e);
        }
    }

    private void checkEndpoint(DocSnippet s) {
        requireInterpreter(s.kind());
        startVpsd();
        Account a = newAccount("docs-" + s.file().replace('.', '-'));
        switch (s.endpoint()) {
            case "list" -> list(s, a);
            case "create" -> create(s, a);
            case "get" -> get(s, a);
            case "put" -> put(s, a);
            case "patch" -> patch(s, a);
            case "delete" -> delete(s, a);
            case "start" -> start(s, a);
            case "stop" -> stop(s, a);
            case "reboot" -> reboot(s, a);
            default -> fail("No check for the endpoint of " + s.file());
        }
    }

    private void list(DocSnippet s, Account a) {
        long id = fixture(a, "listed-server");
        JsonNode server = awaitStatus(a, id, "active");
        DocSnippetRunner.Run r = run(s, a, null);
        verify(r, () -> {
            JsonNode out = printedJson(s, r);
            assertThat(field(out, "count").asInt()).isEqualTo(1);
            assertThat(field(out, "results").size()).isEqualTo(1);
            JsonNode item = out.get("results").get(0);
            assertThat(field(item, "id").asLong()).isEqualTo(id);
            assertThat(field(item, "name").asText()).isEqualTo("listed-server");
            assertThat(field(item, "hostname").asText()).isEqualTo("fixture.example.com");
            assertThat(field(item, "status").asText()).isEqualTo("active");
            assertThat(field(item, "ip_address").asText()).isEqualTo(server.get("ip_address").asText());
            assertThat(field(item, "location").asText()).isEqualTo("us-west");
            assertThat(item.has("plan")).as("plan").isTrue();
            assertThat(item.has("os")).as("os").isTrue();
            assertThat(item.has("created_at")).as("created_at").isTrue();
            assertThat(item.has("updated_at")).as("updated_at").isTrue();
        });
    }

    private void create(DocSnippet s, Account a) {
        DocSnippetRunner.Run r = run(s, a, null);
        verify(r, () -> {
            JsonNode out = printedJson(s, r);
            assertThat(field(out, "id").isIntegralNumber()).as("id is a number").isTrue();
            assertThat(field(out, "name").asText()).isEqualTo("web-server-02");
            assertThat(field(out, "hostname").asText()).isEqualTo("web02.example.com");
            assertThat(field(out, "status").asText()).isEqualTo("provisioning");
            assertThat(field(out, "ip_address").isNull()).as("ip_address is null").isTrue();
            assertThat(field(out, "location").asText()).isEqualTo("us-west");
            assertThat(field(out, "plan.id").asInt()).isEqualTo(1);
            assertThat(field(out, "plan.name").asText()).isEqualTo("Standard VPS");
            assertThat(field(out, "os.id").asInt()).isEqualTo(5);
            assertThat(field(out, "os.name").asText()).isEqualTo("Ubuntu 22.04 LTS");
            assertThat(field(out, "backups_enabled").asBoolean()).as("backups_enabled").isTrue();
            assertThat(field(out, "message").asText()).isEqualTo(PROVISIONING_MESSAGE);

            long id = out.get("id").asLong();
            Http.Response got = a.api().get("/api/v1/servers/" + id + "/");
            assertThat(got.status()).as(got.toString()).isEqualTo(200);
            assertThat(got.json().get("name").asText()).isEqualTo("web-server-02");
            assertThat(got.json().get("backups_enabled").asBoolean()).isTrue();
            assertThat(a.api().get("/api/v1/servers/").json().get("count").asInt()).as("servers in the account").isEqualTo(1);
            JsonNode active = awaitStatus(a, id, "active");
            assertThat(active.get("ip_address").isNull()).as("an address once provisioned: " + active).isFalse();
        });
    }

    private void get(DocSnippet s, Account a) {
        long id = fixture(a, "detailed-server");
        JsonNode server = awaitStatus(a, id, "active");
        DocSnippetRunner.Run r = run(s, a, id);
        verify(r, () -> {
            JsonNode out = printedJson(s, r);
            assertThat(field(out, "id").asLong()).isEqualTo(id);
            assertThat(field(out, "name").asText()).isEqualTo("detailed-server");
            assertThat(field(out, "hostname").asText()).isEqualTo("fixture.example.com");
            assertThat(field(out, "status").asText()).isEqualTo("active");
            assertThat(field(out, "ip_address").asText()).isEqualTo(server.get("ip_address").asText()).isNotEqualTo("null");
            assertThat(field(out, "ipv6_address").isNull()).as("ipv6_address of an active server").isFalse();
            assertThat(field(out, "ipv6_address").asText()).isEqualTo(server.get("ipv6_address").asText());
            assertThat(field(out, "location").asText()).isEqualTo("us-west");
            assertThat(field(out, "plan.id").asInt()).isEqualTo(1);
            assertThat(field(out, "plan.bandwidth").asInt()).isEqualTo(2048);
            assertThat(field(out, "os.id").asInt()).isEqualTo(5);
            assertThat(field(out, "backups_enabled").asBoolean()).as("backups_enabled").isFalse();
            for (String usage : List.of("cpu_percent", "memory_used", "disk_used", "bandwidth_used")) {
                assertThat(field(out, "resource_usage." + usage).isNumber()).as("resource_usage." + usage + " is a number").isTrue();
            }
            assertThat(field(out, "created_at").asText()).isEqualTo(server.get("created_at").asText());
            assertThat(out.has("updated_at")).as("updated_at").isTrue();
        });
    }

    private void put(DocSnippet s, Account a) {
        long id = fixture(a, "put-server");
        awaitStatus(a, id, "active");
        DocSnippetRunner.Run r = run(s, a, id);
        verify(r, () -> {
            JsonNode out = printedJson(s, r);
            assertThat(field(out, "id").asLong()).isEqualTo(id);
            assertThat(field(out, "name").asText()).isEqualTo("web-server-updated");
            assertThat(field(out, "hostname").asText()).isEqualTo("web-updated.example.com");
            assertThat(field(out, "backups_enabled").asBoolean()).as("backups_enabled").isTrue();
            JsonNode now = a.api().get("/api/v1/servers/" + id + "/").json();
            assertThat(now.get("name").asText()).isEqualTo("web-server-updated");
            assertThat(now.get("hostname").asText()).isEqualTo("web-updated.example.com");
            assertThat(now.get("backups_enabled").asBoolean()).isTrue();
        });
    }

    private void patch(DocSnippet s, Account a) {
        long id = fixture(a, "patch-server");
        awaitStatus(a, id, "active");
        DocSnippetRunner.Run r = run(s, a, id);
        verify(r, () -> {
            JsonNode out = printedJson(s, r);
            assertThat(field(out, "id").asLong()).isEqualTo(id);
            assertThat(field(out, "name").asText()).isEqualTo("new-server-name");
            assertThat(field(out, "hostname").asText()).as("not in the patch, unchanged").isEqualTo("fixture.example.com");
            assertThat(field(out, "backups_enabled").asBoolean()).as("not in the patch, unchanged").isFalse();
            JsonNode now = a.api().get("/api/v1/servers/" + id + "/").json();
            assertThat(now.get("name").asText()).isEqualTo("new-server-name");
            assertThat(now.get("hostname").asText()).isEqualTo("fixture.example.com");
        });
    }

    private void delete(DocSnippet s, Account a) {
        long id = fixture(a, "deleted-server");
        awaitStatus(a, id, "active");
        DocSnippetRunner.Run r = run(s, a, id);
        verify(r, () -> {
            if (s.kind() == DocSnippetKind.PYTHON) {
                assertThat(r.stdout().strip()).as("print(response.status_code)").isEqualTo("204");
            } else {
                assertThat(r.stdout()).as("a 204 has no body, so curl prints nothing").isEmpty();
            }
            // Deleting takes a moment (2-5 simulated seconds): the server is "deleting", then gone.
            Http.Response right = a.api().get("/api/v1/servers/" + id + "/");
            if (right.status() == 200) {
                assertThat(right.json().get("status").asText()).as(right.toString()).isEqualTo("deleting");
            } else {
                assertThat(right.status()).as(right.toString()).isEqualTo(404);
            }
            System.out.println(s.file() + ": right after the snippet, GET answered " + right.status()
                    + (right.status() == 200 ? " with status " + right.json().get("status").asText() : ""));
            awaitGone(a, id);
            assertThat(a.api().get("/api/v1/servers/").json().get("count").asInt()).as("servers in the account").isZero();
        });
    }

    private void start(DocSnippet s, Account a) {
        long id = fixture(a, "started-server");
        awaitStatus(a, id, "active");
        Http.Response stop = a.api().post("/api/v1/servers/" + id + "/stop/");
        assertThat(stop.status()).as("stopping the server first: " + stop).isEqualTo(200);
        awaitStatus(a, id, "stopped");
        action(s, a, id, "started-server", "Server is starting", "starting", "active");
    }

    private void stop(DocSnippet s, Account a) {
        long id = fixture(a, "stopped-server");
        awaitStatus(a, id, "active");
        action(s, a, id, "stopped-server", "Server is stopping", "stopping", "stopped");
    }

    private void reboot(DocSnippet s, Account a) {
        long id = fixture(a, "rebooted-server");
        awaitStatus(a, id, "active");
        action(s, a, id, "rebooted-server", "Server is rebooting", "rebooting", "active");
    }

    private void action(DocSnippet s, Account a, long id, String name, String message, String transitional, String resting) {
        DocSnippetRunner.Run r = run(s, a, id);
        verify(r, () -> {
            JsonNode out = printedJson(s, r);
            assertThat(field(out, "status").asText()).isEqualTo("success");
            assertThat(field(out, "message").asText()).isEqualTo(message);
            assertThat(field(out, "server.id").asLong()).isEqualTo(id);
            assertThat(field(out, "server.name").asText()).isEqualTo(name);
            // The documented body shows the status the action was accepted in ("stopping"), not where it ended.
            assertThat(field(out, "server.status").asText()).as("server.status in the action body (the documentation shows \""
                    + transitional + "\"; a resting status here means the body was read after the operation had finished)")
                    .isEqualTo(transitional);
            awaitStatus(a, id, resting);
        });
    }

    // ---------------------------------------------------------------- running a snippet

    /** Runs the snippet for account {@code a}, with only the base URL, the token and the server id changed. */
    private DocSnippetRunner.Run run(DocSnippet s, Account a, Long serverId) {
        String code = s.substituted(vpsd.baseUrl(), a.token(), serverId);
        if (s.kind() == DocSnippetKind.PHP) {
            code = code + phpObservation(s);
        }
        return runner().run(s, code);
    }

    /**
     * The PHP snippets print nothing: they leave the decoded response in a variable. One line is
     * appended after the unchanged snippet to print that variable as JSON, so that the test can see
     * what the snippet got, as the other languages' {@code print}/{@code console.log} show it.
     */
    private static String phpObservation(DocSnippet s) {
        Matcher m = PHP_DECODED.matcher(s.text());
        if (!m.find()) {
            throw new IllegalStateException(s.file() + ": no `$x = json_decode($response, true);` to observe");
        }
        return (s.text().endsWith("\n") ? "" : "\n")
                + "// Added by DocSnippetsIT after the documented snippet, which prints nothing: print what it decoded.\n"
                + "echo json_encode($" + m.group(1) + "), \"\\n\";\n";
    }

    private static JsonNode printedJson(DocSnippet s, DocSnippetRunner.Run r) {
        assertThat(r.stdout().strip()).as("what the snippet printed").isNotEmpty();
        return runner().json(s.kind(), r.stdout());
    }

    /** Checks the run ended well, then {@code checks}; on failure, the message carries the whole run. */
    private static void verify(DocSnippetRunner.Run r, Runnable checks) {
        try {
            assertThat(r.timedOut()).as("timed out").isFalse();
            assertThat(r.exit()).as("exit code").isZero();
            checks.run();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + r.transcript() + vpsdLogTail(), e);
        }
    }

    /** A field of a JSON object, by a dotted path; fails if it is missing. */
    private static JsonNode field(JsonNode node, String path) {
        JsonNode n = node;
        for (String part : path.split("\\.")) {
            if (n == null || !n.has(part)) {
                throw new AssertionError("No field " + path + " in " + node);
            }
            n = n.get(part);
        }
        return n;
    }

    private static void requireInterpreter(DocSnippetKind kind) {
        Optional<String> problem;
        synchronized (interpreterProblems) {
            problem = interpreterProblems.computeIfAbsent(kind, k -> Optional.ofNullable(runner().probe(k.probe())));
        }
        problem.ifPresent(p -> fail("The " + kind.label + " snippets cannot run here: `" + String.join(" ", kind.probe()) + "` failed: "
                + p.strip() + ". scripts/install-test-deps.sh installs curl, python3-requests, nodejs, php-cli and php-curl."));
    }

    private static synchronized DocSnippetRunner runner() {
        if (runner == null) {
            runner = new DocSnippetRunner(tmp.resolve("snippets"));
        }
        return runner;
    }

    // ---------------------------------------------------------------- vpsd and its state

    private static synchronized void startVpsd() {
        if (vpsdFailure != null) {
            throw new IllegalStateException("vpsd did not start (see the first failure)", vpsdFailure);
        }
        if (vpsd != null) {
            return;
        }
        try {
            Path data = tmp.resolve("data");
            database = TestDatabase.create(data);
            List<String> args = new ArrayList<>(List.of("--sim-time-scale", "1000"));
            args.addAll(VpsdProcess.databaseArgs(database.url()));
            vpsd = VpsdProcess.serve(data, args);
            admin = new Http(vpsd.baseUrl(), vpsd.adminToken());
        } catch (RuntimeException e) {
            vpsdFailure = e;
            throw e;
        }
    }

    /** A new customer account with credit, through the admin API. */
    private static Account newAccount(String name) {
        Http.Response r = admin.post("/admin/v1/accounts/", "{\"name\": \"" + name + "\", \"credit\": 100}");
        assertThat(r.status()).as("creating account " + name + ": " + r).isEqualTo(201);
        String token = r.json().get("token").asText();
        return new Account(name, token, new Http(vpsd.baseUrl(), token));
    }

    /** A server made through the API (not by a snippet), for the snippets that act on one. */
    private static long fixture(Account a, String name) {
        Http.Response r = a.api().post("/api/v1/servers/", "{\"name\": \"" + name + "\", \"plan_id\": 1, \"os_id\": 5, "
                + "\"location\": \"us-west\", \"hostname\": \"fixture.example.com\", \"backups_enabled\": false}");
        assertThat(r.status()).as("creating server " + name + ": " + r).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    /** Polls the server until it is in {@code status}; returns its detail then. */
    private static JsonNode awaitStatus(Account a, long id, String status) {
        Instant end = Instant.now().plus(STATE_TIMEOUT);
        Http.Response last = null;
        while (Instant.now().isBefore(end)) {
            last = a.api().get("/api/v1/servers/" + id + "/");
            if (last.status() == 200) {
                String now = last.json().get("status").asText();
                if (now.equals(status)) {
                    return last.json();
                }
                if (now.equals("error")) {
                    break;
                }
            }
            VpsdProcess.sleep(50);
        }
        throw new AssertionError("Server " + id + " did not become " + status + " within " + STATE_TIMEOUT.toSeconds() + " s; last: "
                + last + vpsdLogTail());
    }

    private static void awaitGone(Account a, long id) {
        Instant end = Instant.now().plus(STATE_TIMEOUT);
        Http.Response last = null;
        while (Instant.now().isBefore(end)) {
            last = a.api().get("/api/v1/servers/" + id + "/");
            if (last.status() == 404) {
                return;
            }
            VpsdProcess.sleep(50);
        }
        throw new AssertionError("Server " + id + " was not gone within " + STATE_TIMEOUT.toSeconds() + " s; last: " + last
                + vpsdLogTail());
    }

    private static String vpsdLogTail() {
        if (vpsd == null) {
            return "";
        }
        String err = VpsdProcess.read(vpsd.stderr);
        String[] lines = err.split("\n");
        int from = Math.max(0, lines.length - 30);
        return "\n--- vpsd stderr (last " + (lines.length - from) + " lines):\n" + String.join("\n", List.of(lines).subList(from, lines.length));
    }

    private static Path page(String lang) {
        return REFERENCE.resolve("servers-api." + lang + ".txt");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
