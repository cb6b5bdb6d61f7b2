package org.vpsd.server.api;

import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.vpsd.client.wire.Page;
import org.vpsd.server.domain.FieldErrors;

/**
 * Django REST Framework's page-number pagination: {@code page} from 1, {@code page_size} (default
 * 50, at most 500), and absolute {@code next}/{@code previous} URLs that keep the other query
 * parameters. A page past the end (but the first) is 404 {@code Invalid page.}
 */
final class Paging {
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,1000}");
    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 500;

    private final String publicUrl;

    /** {@code publicUrl}, when set, is the scheme and host the links use instead of the request's. */
    Paging(String publicUrl) {
        this.publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
    }

    record Window(int page, int size) {
        long offset() {
            return (long) (page - 1) * size;
        }
    }

    static Window window(Context ctx) {
        int page = 1;
        String p = ctx.queryParam("page");
        if (p != null) {
            if (p.equals("last")) {
                throw new ApiError(404, "Invalid page.");
            }
            page = parse(p);
            if (page < 1 || page == Integer.MAX_VALUE) {
                throw new ApiError(404, "Invalid page.");
            }
        }
        int size = DEFAULT_SIZE;
        String s = ctx.queryParam("page_size");
        if (s != null) {
            size = parse(s);
            if (size < 1) {
                throw FieldErrors.of("page_size", "Ensure this value is a whole number greater than or equal to 1.");
            }
            size = Math.min(size, MAX_SIZE);
        }
        return new Window(page, size);
    }

    /** A whole number from the query string; -1 if it is not one, {@link Integer#MAX_VALUE} if it is larger. */
    private static int parse(String value) {
        if (!DIGITS.matcher(value).matches()) {
            return -1;
        }
        return value.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(value);
    }

    <T> Page<T> page(Context ctx, Window w, long count, List<T> items) {
        if (w.page() > 1 && w.offset() >= count) {
            throw new ApiError(404, "Invalid page.");
        }
        String next = w.offset() + w.size() < count ? link(ctx, w.page() + 1) : null;
        String previous = w.page() > 1 ? link(ctx, w.page() - 1) : null;
        return new Page<>(count, next, previous, items);
    }

    private String link(Context ctx, int page) {
        String base = publicUrl != null ? publicUrl : ctx.scheme() + "://" + ctx.host();
        List<String> params = new ArrayList<>();
        String query = ctx.queryString();
        if (query != null) {
            for (String pair : query.split("&")) {
                String name = URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
                if (!pair.isEmpty() && !name.equals("page")) {
                    params.add(pair);
                }
            }
        }
        if (page > 1) {
            params.add("page=" + page);
        }
        return base + ctx.path() + (params.isEmpty() ? "" : "?" + String.join("&", params));
    }
}
