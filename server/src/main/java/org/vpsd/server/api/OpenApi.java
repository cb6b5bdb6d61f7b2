package org.vpsd.server.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/** Serves {@code /api/v1/openapi.json}: the OpenAPI 3.1 description of everything vpsd serves. */
final class OpenApi {
    static final String RESOURCE = "/openapi.json";
    private static final byte[] DOCUMENT = load();

    private OpenApi() {}

    private static byte[] load() {
        try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void serve(Context ctx) {
        ctx.contentType("application/json").result(DOCUMENT);
    }
}
