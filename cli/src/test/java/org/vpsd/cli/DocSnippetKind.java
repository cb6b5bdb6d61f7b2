package org.vpsd.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/** The four client languages of the reference page, and how each one's snippets are run. */
enum DocSnippetKind {
    /** A shell command line: run by bash, with the system's curl. */
    CURL("cURL", ".curl.sh", line -> line.startsWith("curl -X ")),
    /** Python with {@code requests}: Debian's interpreter, which has python3-requests (not a pyenv one on PATH). */
    PYTHON("Python", ".py", line -> line.equals("import requests")),
    /** JavaScript with {@code fetch} and top-level {@code await}: an ES module, run by Node.js (20+). */
    JAVASCRIPT("JavaScript", ".mjs", line -> line.contains("await fetch(")),
    /** PHP with the curl extension, without an opening tag: run by {@code php -r}. */
    PHP("PHP", ".php", line -> line.contains("curl_init("));

    static final String PYTHON3 = "/usr/bin/python3";

    final String label;
    final String extension;
    /** Recognises, among a reference page's lines (leading whitespace removed), the first line of a snippet of this kind. */
    final Predicate<String> opening;

    DocSnippetKind(String label, String extension, Predicate<String> opening) {
        this.label = label;
        this.extension = extension;
        this.opening = opening;
    }

    static DocSnippetKind ofFile(String name) {
        for (DocSnippetKind k : values()) {
            if (name.endsWith(k.extension)) {
                return k;
            }
        }
        throw new IllegalArgumentException("Not a snippet file (.curl.sh, .py, .mjs, .php): " + name);
    }

    /** The command that runs {@code code}, written to {@code file} for the kinds run from a file. */
    List<String> command(Path file, String code) {
        return switch (this) {
            case CURL -> List.of("bash", file.toString());
            case PYTHON -> List.of(PYTHON3, file.toString());
            case JAVASCRIPT -> List.of("node", file.toString());
            // Warnings and notices to stderr, so that stdout is what the code prints.
            case PHP -> List.of("php", "-d", "display_errors=stderr", "-r", code);
        };
    }

    /** Checks that the interpreter is there: a command and what it must print. */
    List<String> probe() {
        return switch (this) {
            case CURL -> List.of("bash", "-c", "curl --version");
            case PYTHON -> List.of(PYTHON3, "-c", "import requests; print(requests.__version__)");
            case JAVASCRIPT -> List.of("node", "-e", "if (typeof fetch !== 'function') process.exit(3); console.log(process.version)");
            case PHP -> List.of("php", "-r", "if (!function_exists('curl_init')) exit(3); echo PHP_VERSION;");
        };
    }
}
