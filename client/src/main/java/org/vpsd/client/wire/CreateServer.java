package org.vpsd.client.wire;

/** The body of {@code POST /api/v1/servers/}; {@code null} leaves an optional field out. */
public record CreateServer(
        String name,
        Long planId,
        Long osId,
        String location,
        String hostname,
        Long sshKeyId,
        Boolean backupsEnabled) {}
