package org.vpsd.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One client snippet of the reference page, as kept in {@code docs/snippets/ENDPOINT.EXT}: its
 * endpoint (list, create, get, ...), its kind (cURL, Python, JavaScript, PHP) and its exact text.
 */
record DocSnippet(String file, String endpoint, DocSnippetKind kind, String text) {
    /** The documented host, token and server id: the only things a reader changes. */
    static final String DOC_BASE_URL = "https://admin.vps.org";
    static final String DOC_TOKEN = "YOUR_API_TOKEN";
    static final String DOC_SERVER_ID = "12345";

    /** The endpoints in the page's order. */
    static final List<String> ENDPOINTS = List.of("list", "create", "get", "put", "patch", "delete", "start", "stop", "reboot");

    /** The three places the page writes the server id: in paths, and in the Python and JavaScript variables. */
    private static final Pattern ID_IN_PATH = Pattern.compile("(?<=/servers/)" + DOC_SERVER_ID + "(?=/)");
    private static final Pattern ID_IN_PYTHON = Pattern.compile("(?m)^(\\s*server_id = )" + DOC_SERVER_ID + "$");
    private static final Pattern ID_IN_JS = Pattern.compile("(?m)^(\\s*const serverId = )" + DOC_SERVER_ID + ";$");

    static List<DocSnippet> loadAll(Path snippetsDir) {
        try (Stream<Path> files = Files.list(snippetsDir)) {
            List<DocSnippet> all = new ArrayList<>();
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                all.add(load(p));
            }
            all.sort(Comparator.comparing((DocSnippet s) -> ENDPOINTS.indexOf(s.endpoint())).thenComparing(s -> s.kind().ordinal()));
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DocSnippet load(Path p) {
        String name = p.getFileName().toString();
        DocSnippetKind kind = DocSnippetKind.ofFile(name);
        String endpoint = name.substring(0, name.length() - kind.extension.length());
        if (!ENDPOINTS.contains(endpoint)) {
            throw new IllegalArgumentException(p + ": no documented endpoint named " + endpoint + " (one of " + ENDPOINTS + ")");
        }
        try {
            return new DocSnippet(name, endpoint, kind, Files.readString(p, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the documented request names a server ({@code /servers/12345/...}). */
    boolean needsServerId() {
        return !endpoint.equals("list") && !endpoint.equals("create");
    }

    /**
     * The snippet as a reader runs it against vpsd: the documented base URL, token and server id
     * replaced, nothing else. Fails if one of them is not where the page puts it, or if anything of
     * the documentation's placeholders is left over.
     */
    String substituted(String baseUrl, String token, Long serverId) {
        String s = text;
        s = replaceAll(s, DOC_BASE_URL, baseUrl, "base URL");
        s = replaceAll(s, DOC_TOKEN, token, "API token");
        if (needsServerId()) {
            if (serverId == null) {
                throw new IllegalArgumentException(file + " needs a server id");
            }
            String id = Long.toString(serverId);
            int replaced = 0;
            Matcher m = ID_IN_PATH.matcher(s);
            replaced += m.results().count();
            s = m.replaceAll(id);
            for (Pattern var : List.of(ID_IN_PYTHON, ID_IN_JS)) {
                Matcher v = var.matcher(s);
                replaced += v.results().count();
                s = v.replaceAll("$1" + id + (var == ID_IN_JS ? ";" : ""));
            }
            if (replaced != 1) {
                throw new IllegalStateException(file + ": expected the server id exactly once, found it " + replaced + " times");
            }
        }
        if (s.contains(DOC_SERVER_ID) || s.contains("admin.vps.org") || s.contains(DOC_TOKEN)) {
            throw new IllegalStateException(file + ": a documentation placeholder is left after substitution:\n" + s);
        }
        return s;
    }

    private String replaceAll(String s, String what, String with, String label) {
        if (!s.contains(what)) {
            throw new IllegalStateException(file + ": the " + label + " (" + what + ") is not in the snippet");
        }
        return s.replace(what, with);
    }

    /**
     * The text as compared with the reference pages: every line without its leading whitespace,
     * blank lines dropped. The five pages differ in exactly these: two (Yoruba, Tamil) keep the
     * code's indentation and blank lines, three (Basque, Albanian, Chinese) have neither.
     */
    static List<String> normalizedLines(String text) {
        return text.replace("\r\n", "\n").lines().map(String::stripLeading).filter(l -> !l.isEmpty()).toList();
    }

    /** How many times {@code needle}'s normalized lines occur, consecutively, among {@code page}'s. */
    static int occurrences(List<String> page, List<String> needle) {
        if (needle.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i + needle.size() <= page.size(); i++) {
            if (page.subList(i, i + needle.size()).equals(needle)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return file;
    }
}
