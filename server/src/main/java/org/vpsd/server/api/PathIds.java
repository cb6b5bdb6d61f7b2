package org.vpsd.server.api;

import io.javalin.http.Context;

/** Path parameters that name records: digits only, within a long; anything else is not found. */
final class PathIds {
    private PathIds() {}

    static long id(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!v.matches("[0-9]{1,18}")) {
            throw ApiError.notFound();
        }
        return Long.parseLong(v);
    }
}
