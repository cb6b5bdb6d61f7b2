package org.vpsd.client.wire;

/** An item of {@code GET /api/v1/os/}. */
public record OperatingSystem(long id, String name) {}
