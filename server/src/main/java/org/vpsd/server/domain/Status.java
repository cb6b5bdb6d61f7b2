package org.vpsd.server.domain;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A server's status as the API shows it. Resting statuses last until somebody acts; transitional
 * ones last while the engine drives the hypervisor. {@link #DELETED} is internal: a deleted server
 * is kept as a tombstone for the ledger and is never shown.
 */
public enum Status {
    ACTIVE(false),
    STOPPED(false),
    SUSPENDED(false),
    ERROR(false),
    PROVISIONING(true),
    STARTING(true),
    STOPPING(true),
    REBOOTING(true),
    DELETING(true),
    DELETED(false);

    private static final Map<String, Status> BY_WIRE = Arrays.stream(values())
            .filter(s -> s != DELETED)
            .collect(Collectors.toUnmodifiableMap(Status::wire, Function.identity()));

    private final boolean transitional;
    private final String wire;

    Status(boolean transitional) {
        this.transitional = transitional;
        this.wire = name().toLowerCase(java.util.Locale.ROOT);
    }

    public boolean transitional() {
        return transitional;
    }

    /** The lower-case name used in JSON and in the database. */
    public String wire() {
        return wire;
    }

    /** The status a client may name ({@code active}, {@code stopped}, ...); never {@code deleted}. */
    public static Optional<Status> fromWire(String value) {
        return Optional.ofNullable(value == null ? null : BY_WIRE.get(value));
    }

    /** Reads the database form, including the internal {@code deleted}. */
    public static Status fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    /** The names a client may filter on, in declaration order. */
    public static java.util.List<String> visibleNames() {
        return Arrays.stream(values()).filter(s -> s != DELETED).map(Status::wire).toList();
    }
}
