package org.vpsd.server.api;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.vpsd.client.Wire;

/**
 * Writes a successful response body as JSON straight into the response stream. Javalin's
 * {@code ctx.json} builds a String, wraps its bytes in a stream and copies that through a fresh
 * 32 KiB buffer per response (its response-buffer size), which cost more CPU on the detail path than
 * the database read; this writes through Jackson's recycled buffer into Javalin's output stream
 * (which still compresses when the client asks) and Jetty's. Error bodies keep {@code ctx.json}:
 * Javalin's error handlers look at {@code ctx.result()}.
 */
final class Respond {
    private Respond() {}

    static void json(Context ctx, Object body) {
        ctx.contentType(ContentType.APPLICATION_JSON);
        try {
            Wire.mapper().writeValue(ctx.outputStream(), body); // closes the stream: the response is complete
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
