package org.vpsd.server.domain;

import java.time.Instant;

/**
 * A server as the customer's list of servers shows it, and no more: on PostgreSQL a page of these
 * reads 10 of a server's columns and not its usage (bench/RESULTS.md). {@code ipv4} is the address as
 * shown, null until the server is provisioned ({@link Server#visibleIpv4}).
 */
public record ListedServer(
        long id,
        String name,
        String hostname,
        Status status,
        String ipv4,
        String locationCode,
        Plan plan,
        OsImage os,
        Instant createdAt,
        Instant updatedAt) {

    public static ListedServer of(Server s) {
        return new ListedServer(s.id(), s.name(), s.hostname(), s.status(), s.visibleIpv4(), s.locationCode(), s.plan(), s.os(),
                s.createdAt(), s.updatedAt());
    }
}
