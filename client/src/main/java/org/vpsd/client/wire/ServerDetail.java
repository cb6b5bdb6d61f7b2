package org.vpsd.client.wire;

import java.time.Instant;

/** A server as {@code GET /api/v1/servers/{id}/}, {@code PUT} and {@code PATCH} return it. */
public record ServerDetail(
        long id,
        String name,
        String hostname,
        String status,
        String ipAddress,
        String ipv6Address,
        String location,
        PlanDetailRef plan,
        OsRef os,
        boolean backupsEnabled,
        ResourceUsage resourceUsage,
        Instant createdAt,
        Instant updatedAt) {}
