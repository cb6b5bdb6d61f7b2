package org.vpsd.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.vpsd.client.Wire;

/**
 * Runs documentation snippets with their real interpreters, each in a process of its own with a
 * time limit, and turns what they print into JSON for the assertions.
 */
final class DocSnippetRunner {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Turns what Python's {@code print(dict)} writes (a Python literal) into JSON. */
    private static final String PYTHON_TO_JSON =
            "import ast, json, sys\nprint(json.dumps(ast.literal_eval(sys.stdin.read().strip())))\n";
    /**
     * Turns what Node's {@code console.log(object)} writes ({@code util.inspect}: a JavaScript
     * literal, objects nested deeper than two levels shown as {@code [Object]}) into JSON.
     */
    private static final String NODE_TO_JSON = "const text = require('fs').readFileSync(0, 'utf8').trim();\n"
            + "const js = text.replace(/\\[(Object|Array)\\]/g, \"'[$1]'\");\n"
            + "console.log(JSON.stringify(require('vm').runInNewContext('(' + js + ')')));\n";

    private final Path workDir;
    private int counter;

    DocSnippetRunner(Path workDir) {
        this.workDir = workDir;
    }

    /** A finished run: what ran, how it ended, what it printed. */
    record Run(String file, List<String> command, String code, int exit, boolean timedOut, String stdout, String stderr) {
        /** Everything about the run, for a failure message. */
        String transcript() {
            return "--- " + file + " as run (" + String.join(" ", command.size() > 4 ? command.subList(0, 4) : command)
                    + (command.size() > 4 ? " ..." : "") + "):\n" + code
                    + (code.endsWith("\n") ? "" : "\n")
                    + "--- exit " + (timedOut ? "(killed after " + TIMEOUT.toSeconds() + " s)" : Integer.toString(exit))
                    + "\n--- stdout:\n" + stdout + (stdout.endsWith("\n") || stdout.isEmpty() ? "" : "\n")
                    + "--- stderr:\n" + stderr + (stderr.endsWith("\n") || stderr.isEmpty() ? "" : "\n") + "---";
        }
    }

    /** Runs {@code code}, the substituted text of {@code snippet} (plus, for PHP, the observation line). */
    Run run(DocSnippet snippet, String code) {
        Path dir = workDir.resolve(String.format("%03d-%s", ++counter, snippet.file()));
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(snippet.file());
            Files.writeString(file, code, StandardCharsets.UTF_8);
            List<String> cmd = snippet.kind().command(file, code);
            Result r = exec(cmd, dir, null);
            return new Run(snippet.file(), cmd, code, r.exit, r.timedOut, r.stdout, r.stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the snippet printed, as JSON: parsed as it is (cURL, PHP) or converted from its language's literal. */
    JsonNode json(DocSnippetKind kind, String printed) {
        String json = switch (kind) {
            case CURL, PHP -> printed;
            case PYTHON -> convert(List.of(DocSnippetKind.PYTHON3, "-c", PYTHON_TO_JSON), printed);
            case JAVASCRIPT -> convert(List.of("node", "-e", NODE_TO_JSON), printed);
        };
        try {
            return Wire.mapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("Not JSON: " + json, e);
        }
    }

    private String convert(List<String> cmd, String printed) {
        try {
            Path dir = Files.createDirectories(workDir.resolve("convert"));
            Path in = Files.createTempFile(dir, "printed-", ".txt");
            Files.writeString(in, printed, StandardCharsets.UTF_8);
            Result r = exec(cmd, dir, in);
            if (r.exit != 0 || r.timedOut) {
                throw new AssertionError("Cannot read what the snippet printed as a literal of its language (" + cmd.get(0)
                        + " exit " + r.exit + "): " + r.stderr + "\nprinted:\n" + printed);
            }
            return r.stdout;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code cmd} runs and exits 0; its output otherwise. */
    String probe(List<String> cmd) {
        try {
            Result r = exec(cmd, Files.createDirectories(workDir.resolve("probe")), null);
            return r.exit == 0 && !r.timedOut ? null : "exit " + r.exit + ": " + r.stdout + r.stderr;
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private record Result(int exit, boolean timedOut, String stdout, String stderr) {}

    private static Result exec(List<String> cmd, Path dir, Path stdin) throws IOException {
        Path out = Files.createTempFile(dir, "stdout-", ".txt");
        Path err = Files.createTempFile(dir, "stderr-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(nullFile()) : ProcessBuilder.Redirect.from(stdin.toFile()));
        environment(pb.environment());
        Process p = pb.start();
        boolean finished;
        try {
            finished = p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException(e);
        }
        return new Result(finished ? p.exitValue() : -1, !finished, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /**
     * The interpreters' environment: the test's, but requests to the local vpsd never go through a
     * proxy, and nothing from the environment changes what Python or Node load.
     */
    private static void environment(Map<String, String> env) {
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        for (String k : List.of("NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")) {
            env.remove(k);
        }
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("PYTHONIOENCODING", "utf-8");
    }
}
