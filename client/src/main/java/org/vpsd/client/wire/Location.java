package org.vpsd.client.wire;

/** An item of {@code GET /api/v1/locations/}: {@code code} is what a create body's {@code location} names. */
public record Location(long id, String code, String name) {}
