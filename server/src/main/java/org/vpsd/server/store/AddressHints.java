package org.vpsd.server.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each pool's never-used addresses begin, as this process last saw it: the highest id an
 * allocation took, per location and family (one per {@link Database}). A server's first addresses
 * are looked for above it (on PostgreSQL, {@link AddressSql#allocateBoth}). From the pool's first row,
 * every address taken since the table was last vacuumed costs the look a step: PostgreSQL's partial
 * index of free rows keeps the entries of their old versions until VACUUM, and after 20,000
 * allocations the lowest free address was 104 index pages in, against 7 (bench/RESULTS.md).
 *
 * <p>A hint is only where to start. When nothing is free above it, the look starts from the first
 * row, so no address is missed: one below the hint that an allocation rolled back is found then,
 * still before any released address. Another replica's allocations only lie above this one's hint.
 */
final class AddressHints {
    private final ConcurrentHashMap<Long, Long> highestTaken = new ConcurrentHashMap<>();

    /** The id to look above for a never-used address of the family in the location (0: from the start). */
    long after(long locationId, int family) {
        return highestTaken.getOrDefault(key(locationId, family), 0L);
    }

    /** An allocation took this address's row. */
    void took(long locationId, int family, long id) {
        highestTaken.merge(key(locationId, family), id, Math::max);
    }

    private static long key(long locationId, int family) {
        return locationId * 8 + family;
    }
}
