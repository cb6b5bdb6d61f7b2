package org.vpsd.client.wire;

/** {@code {"detail": "..."}}: the body of 401, 402, 403, 404, 405, 413, 415, 503 and state errors. */
public record ErrorBody(String detail) {}
