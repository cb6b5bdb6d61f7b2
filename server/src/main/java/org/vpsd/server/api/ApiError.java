package org.vpsd.server.api;

/** An error the HTTP layer itself answers: a status and a {@code detail}, and an optional header. */
final class ApiError extends RuntimeException {
    final int status;
    final String header;
    final String headerValue;

    ApiError(int status, String detail) {
        this(status, detail, null, null);
    }

    ApiError(int status, String detail, String header, String headerValue) {
        super(detail, null, false, false);
        this.status = status;
        this.header = header;
        this.headerValue = headerValue;
    }

    static ApiError notFound() {
        return new ApiError(404, "Not found.");
    }

    static ApiError unauthorized(String detail) {
        return new ApiError(401, detail, "WWW-Authenticate", "Bearer realm=\"api\"");
    }

    static ApiError forbidden() {
        return new ApiError(403, "You do not have permission to perform this action.");
    }
}
