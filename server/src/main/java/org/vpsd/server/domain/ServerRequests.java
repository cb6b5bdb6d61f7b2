package org.vpsd.server.domain;

/** What a customer asks for when creating or changing a server; null means not given (or not valid JSON of its type). */
public final class ServerRequests {
    private ServerRequests() {}

    public record Create(
            String name,
            Long planId,
            Long osId,
            String location,
            String hostname,
            Long sshKeyId,
            Boolean backupsEnabled) {}

    /** {@code full} for PUT: every field must be given. */
    public record Update(String name, String hostname, Boolean backupsEnabled, boolean full) {}
}
