package org.vpsd.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.vpsd.client.Wire;
import org.vpsd.server.domain.FieldErrors;

/**
 * Reads a request body as a JSON object, strictly: at most {@link #LIMIT} bytes, JSON (or no
 * content type, or curl's default form type with a body that starts with a brace), well formed,
 * no duplicate keys, an object at the top. Each failure is a 4xx with a {@code detail}; an empty
 * body is an empty object.
 */
final class JsonBody {
    static final int LIMIT = 64 * 1024;
    private static final ObjectMapper STRICT = Wire.mapper().copy()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBody() {}

    static ObjectNode read(Context ctx) {
        byte[] bytes = bytes(ctx);
        if (bytes.length == 0 || isBlank(bytes)) {
            return STRICT.createObjectNode();
        }
        String type = ctx.contentType();
        if (type != null && !type.isBlank()) {
            String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            boolean json = media.equals("application/json") || media.endsWith("+json");
            // curl -d without -H sends this type with a JSON body: read it as JSON rather than refuse it.
            boolean curlDefault = media.equals("application/x-www-form-urlencoded") && startsWithBrace(bytes);
            if (!json && !curlDefault) {
                throw new ApiError(415, "Unsupported media type \"" + type.split(";", 2)[0].trim() + "\" in request.");
            }
        }
        JsonNode node;
        try {
            String text;
            try {
                text = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new ApiError(400, "JSON parse error - the body is not valid UTF-8.");
            }
            node = STRICT.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "JSON parse error - " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiError(400, "JSON parse error - " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            return STRICT.createObjectNode();
        }
        if (!node.isObject()) {
            throw FieldErrors.of("non_field_errors", "Invalid data. Expected a dictionary, but got " + kind(node) + ".");
        }
        return (ObjectNode) node;
    }

    private static byte[] bytes(Context ctx) {
        if (ctx.req().getContentLengthLong() > LIMIT) {
            throw tooLarge();
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(LIMIT + 1);
            if (bytes.length > LIMIT) {
                drain(in);
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new ApiError(400, "Could not read the request body.");
        }
    }

    /**
     * Reads what is left of an oversized body (up to a few MiB), so that the client receives the
     * 413 rather than a connection reset for the bytes it is still sending.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[16 * 1024];
        long left = 4L * 1024 * 1024;
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
    }

    private static ApiError tooLarge() {
        return new ApiError(413, "Request body too large: the limit is " + LIMIT + " bytes.");
    }

    private static boolean startsWithBrace(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '{';
            }
        }
        return false;
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    static String kind(JsonNode node) {
        if (node.isArray()) {
            return "list";
        }
        if (node.isTextual()) {
            return "str";
        }
        if (node.isIntegralNumber()) {
            return "int";
        }
        if (node.isNumber()) {
            return "float";
        }
        if (node.isBoolean()) {
            return "bool";
        }
        return node.isNull() ? "null" : "object";
    }
}
