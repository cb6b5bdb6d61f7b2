package org.vpsd.server.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vpsd.server.testing.Http;

/**
 * HTTP/1.1 over a plain socket, for requests {@link java.net.http.HttpClient} refuses to send: a
 * request target with malformed percent-escapes, a chunked body with no Content-Length, a
 * Content-Length that lies. Sends one request with {@code Connection: close} and reads the whole
 * response (de-chunking it if needed).
 */
final class BadInputRaw {
    private BadInputRaw() {}

    /**
     * Sends {@code head} (request line and headers, without the blank line; Host and Connection
     * are added) and then {@code body} as is.
     */
    static Http.Response send(String baseUrl, String requestLine, Map<String, String> headers, byte[] body) {
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            StringBuilder head = new StringBuilder(requestLine).append("\r\n");
            head.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
            head.append("Connection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            try {
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // The server may answer (413) and close before the whole body is sent: read what it said.
            }
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new AssertionError(requestLine + " failed: " + e, e);
        }
    }

    /** A body sent with {@code Transfer-Encoding: chunked}, in chunks of 8 KiB. */
    static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += 8192) {
            int n = Math.min(8192, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    private static Http.Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                all.write(buf, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // keep what arrived
        }
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("No HTTP response: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(bytes, end + 4, bytes.length);
        List<String> te = headers.get("transfer-encoding");
        if (te != null && te.get(0).toLowerCase(Locale.ROOT).contains("chunked")) {
            rest = dechunk(rest);
        }
        return new Http.Response(status, headers, new String(rest, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < data.length) {
            int lineEnd = indexOf(data, i);
            if (lineEnd < 0) {
                break;
            }
            String sizeText = new String(data, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size = sizeText.isEmpty() ? 0 : Integer.parseInt(sizeText, 16);
            if (size == 0) {
                break;
            }
            int start = lineEnd + 2;
            out.write(data, start, Math.min(size, data.length - start));
            i = start + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i + 1 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
