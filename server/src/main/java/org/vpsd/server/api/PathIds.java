package org.vpsd.server.api;

import io.javalin.http.Context;
import java.util.regex.Pattern;

/** Path parameters that name records: digits only, within a long; anything else is not found. */
final class PathIds {
    private static final Pattern ID = Pattern.compile("[0-9]{1,18}");

    private PathIds() {}

    static long id(Context ctx, String name) {
        String v = ctx.pathParam(name);
        if (!ID.matcher(v).matches()) {
            throw ApiError.notFound();
        }
        return Long.parseLong(v);
    }
}
