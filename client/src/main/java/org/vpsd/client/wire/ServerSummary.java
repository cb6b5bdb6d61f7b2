package org.vpsd.client.wire;

import java.time.Instant;

/** A server as an item of {@code GET /api/v1/servers/}. */
public record ServerSummary(
        long id,
        String name,
        String hostname,
        String status,
        String ipAddress,
        String location,
        PlanRef plan,
        OsRef os,
        Instant createdAt,
        Instant updatedAt) {}
