package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Instant;

/** A customer's server as the control plane knows it. */
public record Server(
        long id,
        long accountId,
        String name,
        String hostname,
        Status status,
        long locationId,
        String locationCode,
        Plan plan,
        OsImage os,
        Long sshKeyId,
        boolean backupsEnabled,
        String ipv4,
        String ipv6,
        Long hostId,
        BigDecimal hourlyPrice,
        Instant createdAt,
        Instant updatedAt,
        Instant provisionedAt,
        String statusDetail,
        Usage usage) {

    /** The same server with its addresses and host (as provisioning places it). */
    public Server placed(String newIpv4, String newIpv6, Long newHostId) {
        return new Server(id, accountId, name, hostname, status, locationId, locationCode, plan, os, sshKeyId, backupsEnabled,
                newIpv4, newIpv6, newHostId, hourlyPrice, createdAt, updatedAt, provisionedAt, statusDetail, usage);
    }

    /** Addresses are shown once the server has been provisioned. */
    public String visibleIpv4() {
        return provisionedAt == null ? null : ipv4;
    }

    public String visibleIpv6() {
        return provisionedAt == null ? null : ipv6;
    }
}
