package org.vpsd.client.wire;

import java.time.Instant;

/** The body of {@code 201 Created} after {@code POST /api/v1/servers/}. */
public record ServerCreated(
        long id,
        String name,
        String hostname,
        String status,
        String ipAddress,
        String location,
        PlanRef plan,
        OsRef os,
        boolean backupsEnabled,
        Instant createdAt,
        Instant updatedAt,
        String message) {}
