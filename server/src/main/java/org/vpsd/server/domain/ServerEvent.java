package org.vpsd.server.domain;

import java.time.Instant;

/** A line of a server's history, shown to the provider: status changes, retries, errors. */
public record ServerEvent(long id, long serverId, Instant at, String kind, String message) {}
