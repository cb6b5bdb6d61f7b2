package org.vpsd.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.vpsd.server.domain.Location;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Repositories.Addresses.Allocated;

/**
 * Address pools. An allocation is a conditional UPDATE of one free row picked with
 * {@code FOR UPDATE SKIP LOCKED}: concurrent allocations take different rows instead of waiting,
 * and the {@code server_id IS NULL} condition makes a double allocation impossible even without it.
 */
final class AddressSql implements Repositories.Addresses {
    /*
     * The two picks, in order: the lowest never-used address, else the longest released. On
     * PostgreSQL each is one probe of a partial index over the free rows (migration-postgresql/V2).
     * H2 has no partial indexes, and its planner takes the holder constraint's unique index for
     * "server_id IS NULL AND family = :f" (all of its columns compared for equality: one row, it
     * reckons) and then reads and sorts every free row; it also sorts the whole result of a FOR UPDATE
     * query with ORDER BY. So on H2 the free-address index is named, and the query relies on that
     * index's order (location, family, server_id, released_at, id) instead of ORDER BY. One row read
     * either way.
     */
    private static final String NEVER_USED = "SELECT id, address FROM ip_addresses WHERE location_id = ? AND family = ? "
            + "AND server_id IS NULL AND released_at IS NULL ORDER BY id LIMIT 1";
    private static final String LONGEST_RELEASED = "SELECT id, address FROM ip_addresses WHERE location_id = ? AND family = ? "
            + "AND server_id IS NULL AND released_at IS NOT NULL ORDER BY released_at, id LIMIT 1";
    private static final String NEVER_USED_H2 = "SELECT id, address FROM ip_addresses USE INDEX (ip_addresses_free) "
            + "WHERE location_id = ? AND family = ? AND server_id IS NULL AND released_at IS NULL LIMIT 1";
    private static final String LONGEST_RELEASED_H2 = "SELECT id, address FROM ip_addresses USE INDEX (ip_addresses_free) "
            + "WHERE location_id = ? AND family = ? AND server_id IS NULL AND released_at IS NOT NULL LIMIT 1";
    private static final String LOCK = " FOR UPDATE SKIP LOCKED";
    /**
     * On PostgreSQL, the usual allocation in one statement: the address the server already holds, else
     * the lowest never-used one, taken. Nothing comes back when neither is there (or every free row is
     * locked by allocations in flight): then the general way below decides.
     */
    private static final String HELD_OR_TAKE_NEVER_USED = """
            WITH held AS (SELECT address FROM ip_addresses WHERE server_id = ? AND family = ?),
                 taken AS (UPDATE ip_addresses SET server_id = ?, released_at = NULL
                            WHERE id = (""" + NEVER_USED.replace("SELECT id, address", "SELECT id") + LOCK + """
                            ) AND server_id IS NULL AND NOT EXISTS (SELECT 1 FROM held)
                            RETURNING address)
            SELECT address FROM held UNION ALL SELECT address FROM taken""";

    /** Capacity reserved on the host {@link CatalogSql#reserveOnHostWithMostFreeMemory} would take, if one is needed. */
    private static final String RESERVE_HOST = "UPDATE hosts SET used_vcpus = used_vcpus + ?, used_memory_mb = used_memory_mb + ? "
            + "WHERE (SELECT yes FROM needs_host) AND id = (SELECT id FROM hosts WHERE location_id = ? AND " + CatalogSql.ROOM + " "
            + CatalogSql.MOST_FREE_MEMORY_FIRST + " LIMIT 1 FOR UPDATE) AND " + CatalogSql.ROOM + " RETURNING id";

    /**
     * On PostgreSQL, a server's first two addresses, its host and its placement in one statement: for each
     * family, the address the server already holds, else the lowest never-used one above the pool's hint
     * ({@link AddressHints}), taken; unless the server has a host, capacity reserved on the host of its
     * location with the most free memory that has room ({@link CatalogSql#MOST_FREE_MEMORY_FIRST}); when
     * that gives both families, and the host if the location lists any, the server's row gets them (the
     * fourth column says whether it did). Each address comes with its range (columns 5-8: what
     * {@link #rangesOf} reads), which provisioning keeps for the machine's network instead of reading it
     * again; columns 9 and 10 are the host reserved and whether one was needed. One row with a null
     * family when no address came; a family with neither is allocated the general way, and a host that
     * was needed and not reserved (the one picked lost its room to a placement committed meanwhile) is
     * sought again the general way.
     */
    private static final String HELD_OR_TAKE_NEVER_USED_BOTH_AND_PLACE = placing() + """

            SELECT g.family, g.address, g.id, (SELECT COUNT(*) FROM placed), r.family, r.cidr, r.gateway, r.dns,
                   (SELECT id FROM reserved), (SELECT yes FROM needs_host)
              FROM (SELECT 1 AS one) x LEFT JOIN got g ON TRUE LEFT JOIN address_ranges r ON r.id = g.range_id""";

    /**
     * {@link #HELD_OR_TAKE_NEVER_USED_BOTH_AND_PLACE} with the step's progress ({@code TaskSql.ADVANCE}'s
     * columns, the lease kept or let go of: {@code %s}), saved only once the server is placed and only
     * if the task is still the claim's. Otherwise {@code vpsd_undo} undoes the whole statement. Its parts
     * run as the answer reads them: the addresses, the host, the server's row, and only then the task's
     * row, the order every writer locks them in. The answer always has a row (the addresses' rows, or one
     * with a null family), so the check always runs.
     */
    private static final String PLACE_AND_ADVANCE = placing() + """
            ,
                 advanced AS (UPDATE server_tasks SET step = ?, run_at = ?, deadline = ?, state = ?, attempts = 0, last_error = NULL%s
                               WHERE server_id = ? AND generation = ? AND lease_owner = ? AND EXISTS (SELECT 1 FROM placed) RETURNING 1)
            SELECT g.family, g.address, g.id, (SELECT COUNT(*) FROM placed), r.family, r.cidr, r.gateway, r.dns, (SELECT id FROM reserved),
                   CASE WHEN EXISTS (SELECT 1 FROM advanced) THEN 1
                        ELSE vpsd_undo(CASE WHEN EXISTS (SELECT 1 FROM placed) THEN 'the task is no longer the claim''s'
                                            ELSE 'not placed the usual way' END) END
              FROM (SELECT 1 AS one) x LEFT JOIN got g ON TRUE LEFT JOIN address_ranges r ON r.id = g.range_id""";

    static final String PLACE_AND_ADVANCE_KEEPING_LEASE = PLACE_AND_ADVANCE.formatted("");
    private static final String PLACE_AND_ADVANCE_LETTING_GO = PLACE_AND_ADVANCE.formatted(", lease_owner = NULL, lease_until = NULL");

    /** The common part of both: the addresses, the host and the server's row, as {@code got}, {@code reserved} and {@code placed}. */
    private static String placing() {
        return """
            WITH held AS (SELECT family, address, range_id FROM ip_addresses WHERE server_id = ? AND family IN (4, 6)),
                 taken4 AS (""" + take(4) + """
            ), taken6 AS (""" + take(6) + """
            ), got AS (SELECT family, address, NULL AS id, range_id FROM held UNION ALL SELECT family, address, id, range_id FROM taken4
                       UNION ALL SELECT family, address, id, range_id FROM taken6),
                 needs_host AS (SELECT CAST(? AS BIGINT) IS NULL AND EXISTS (SELECT 1 FROM hosts WHERE location_id = ?) AS yes),
                 reserved AS (""" + RESERVE_HOST + """
            ),   placed AS (UPDATE servers SET ipv4 = (SELECT address FROM got WHERE family = 4),
                                               ipv6 = (SELECT address FROM got WHERE family = 6),
                                               host_id = COALESCE(CAST(? AS BIGINT), (SELECT id FROM reserved))
                             WHERE id = ? AND (SELECT COUNT(DISTINCT family) FROM got) = 2
                               AND (EXISTS (SELECT 1 FROM reserved) OR NOT (SELECT yes FROM needs_host)) RETURNING id)""";
    }

    /**
     * The lowest never-used address of the family above an id, taken unless the server holds one
     * ({@code held}); parameters: server, location, the id.
     */
    private static String take(int family) {
        return "UPDATE ip_addresses SET server_id = ?, released_at = NULL WHERE id = (SELECT id FROM ip_addresses "
                + "WHERE location_id = ? AND family = " + family + " AND server_id IS NULL AND released_at IS NULL AND id > ? "
                + "ORDER BY id LIMIT 1" + LOCK + ") AND server_id IS NULL AND NOT EXISTS (SELECT 1 FROM held WHERE family = "
                + family + ") RETURNING family, address, id, range_id";
    }

    private final Handle h;
    private final AddressHints hints;

    AddressSql(Handle h, AddressHints hints) {
        this.h = h;
        this.hints = hints;
    }

    @Override
    public Optional<String> allocate(long serverId, long locationId, int family, Instant now) {
        boolean h2 = Sql.isH2(h);
        if (!h2) {
            Optional<String> quick = Jdbc.first(h, HELD_OR_TAKE_NEVER_USED, ps -> {
                ps.setLong(1, serverId);
                ps.setInt(2, family);
                ps.setLong(3, serverId);
                ps.setLong(4, locationId);
                ps.setInt(5, family);
            }, rs -> rs.getString(1));
            if (quick.isPresent()) {
                return quick;
            }
        }
        Optional<String> held = heldBy(serverId, family);
        if (held.isPresent()) {
            return held;
        }
        String neverUsed = h2 ? NEVER_USED_H2 : NEVER_USED;
        String longestReleased = h2 ? LONGEST_RELEASED_H2 : LONGEST_RELEASED;
        for (int attempt = 0; attempt < 200; attempt++) {
            Optional<Free> candidate = first(neverUsed + LOCK, locationId, family).or(() -> first(longestReleased + LOCK, locationId, family));
            if (candidate.isEmpty()) {
                // Every free row may be locked by allocations still in flight: exhausted only if none is free at all.
                if (first(neverUsed, locationId, family).isEmpty() && first(longestReleased, locationId, family).isEmpty()) {
                    return Optional.empty();
                }
                pause(attempt);
                continue;
            }
            long id = candidate.get().id();
            int n = Jdbc.update(h, "UPDATE ip_addresses SET server_id = ?, released_at = NULL WHERE id = ? AND server_id IS NULL", ps -> {
                ps.setLong(1, serverId);
                ps.setLong(2, id);
            });
            if (n == 1) {
                return Optional.of(candidate.get().address());
            }
        }
        return Optional.empty();
    }

    @Override
    public Placement allocateBothAndPlace(long serverId, long locationId, Long hostId, int vcpus, int memoryMb, Instant now) {
        Map<Integer, Allocated> got = new HashMap<>();
        boolean[] placed = {false};
        Long[] host = {hostId};
        Boolean[] needsHost = {hostId == null ? null : false};
        if (!Sql.isH2(h)) {
            Jdbc.list(h, HELD_OR_TAKE_NEVER_USED_BOTH_AND_PLACE, ps -> bindPlacing(ps, serverId, locationId, hostId, vcpus, memoryMb), rs -> {
                placed[0] = rs.getLong(4) > 0;
                long reserved = rs.getLong(9);
                if (!rs.wasNull()) {
                    host[0] = reserved;
                }
                needsHost[0] = rs.getBoolean(10);
                return address(rs, locationId);
            }).stream().filter(java.util.Objects::nonNull).forEach(e -> got.put(e.getKey(), e.getValue()));
        }
        if (host[0] == null) {
            var catalog = new CatalogSql(h);
            if (needsHost[0] == null ? catalog.hasHosts(locationId) : needsHost[0]) {
                host[0] = catalog.reserveOnHostWithMostFreeMemory(locationId, vcpus, memoryMb).orElse(null);
                if (host[0] == null) {
                    return new Placement(got, null, true);
                }
            }
        }
        for (int family : new int[] {4, 6}) {
            if (!got.containsKey(family)) {
                allocate(serverId, locationId, family, now).ifPresent(address -> got.put(family, new Allocated(address, null)));
            }
        }
        List<String> rangeless = got.values().stream().filter(a -> a.range() == null).map(Allocated::address).toList();
        if (!rangeless.isEmpty()) {
            Map<String, Location.AddressRange> ranges = rangesOf(rangeless);
            got.replaceAll((family, a) -> a.range() != null ? a : new Allocated(a.address(), ranges.get(a.address())));
        }
        if (!placed[0] && got.containsKey(4) && got.containsKey(6)) {
            new ServerSql(h, null).place(serverId, got.get(4).address(), got.get(6).address(), host[0]);
        }
        return new Placement(got, host[0], false);
    }

    @Override
    public Optional<Placement> placeAndAdvance(long serverId, long locationId, Long hostId, int vcpus, int memoryMb,
            Repositories.Advance advance) {
        if (Sql.isH2(h)) {
            return Optional.empty();
        }
        Map<Integer, Allocated> got = new HashMap<>();
        Long[] host = {hostId};
        List<Map.Entry<Integer, Allocated>> rows;
        try {
            rows = Jdbc.list(h, advance.keepLease() ? PLACE_AND_ADVANCE_KEEPING_LEASE : PLACE_AND_ADVANCE_LETTING_GO, ps -> {
                int i = bindPlacing(ps, serverId, locationId, hostId, vcpus, memoryMb);
                Repositories.Progress p = advance.progress();
                ps.setInt(++i, p.step());
                Jdbc.setInstant(ps, ++i, p.runAt());
                Jdbc.setInstant(ps, ++i, p.deadline());
                ps.setString(++i, p.state());
                ps.setLong(++i, advance.serverId());
                ps.setInt(++i, advance.generation());
                ps.setString(++i, advance.owner());
            }, rs -> {
                long reserved = rs.getLong(9);
                if (!rs.wasNull()) {
                    host[0] = reserved;
                }
                return address(rs, locationId);
            });
        } catch (RuntimeException e) {
            if (Sql.isUndone(e)) {
                return Optional.empty(); // nothing was changed: the caller goes the general way
            }
            throw e;
        }
        rows.stream().filter(java.util.Objects::nonNull).forEach(e -> got.put(e.getKey(), e.getValue()));
        return Optional.of(new Placement(got, host[0], false));
    }

    /** Binds the parameters of {@link #placing}; returns the index of the last one. */
    private int bindPlacing(PreparedStatement ps, long serverId, long locationId, Long hostId, int vcpus, int memoryMb)
            throws SQLException {
        int i = 0;
        ps.setLong(++i, serverId);
        ps.setLong(++i, serverId);
        ps.setLong(++i, locationId);
        ps.setLong(++i, hints.after(locationId, 4));
        ps.setLong(++i, serverId);
        ps.setLong(++i, locationId);
        ps.setLong(++i, hints.after(locationId, 6));
        Jdbc.setLong(ps, ++i, hostId);
        ps.setLong(++i, locationId);
        ps.setInt(++i, vcpus);
        ps.setInt(++i, memoryMb);
        ps.setLong(++i, locationId);
        ps.setInt(++i, vcpus);
        ps.setInt(++i, memoryMb);
        ps.setInt(++i, vcpus);
        ps.setInt(++i, memoryMb);
        Jdbc.setLong(ps, ++i, hostId);
        ps.setLong(++i, serverId);
        return i;
    }

    /**
     * The address in a row of either placing statement (family, address, the id taken or null, then the
     * range from column 5), noted in the pool's hint if it was taken; null for the row without a family.
     */
    private Map.Entry<Integer, Allocated> address(ResultSet rs, long locationId) throws SQLException {
        int family = rs.getInt(1);
        if (rs.wasNull()) {
            return null;
        }
        long id = rs.getLong(3);
        if (!rs.wasNull()) {
            hints.took(locationId, family, id);
        }
        return Map.entry(family, new Allocated(rs.getString(2), rs.getObject(5) == null ? null : range(rs, 5)));
    }

    /** The range in the four columns from {@code first}: family, CIDR, gateway, DNS servers (comma-separated). */
    private static Location.AddressRange range(java.sql.ResultSet r, int first) throws java.sql.SQLException {
        String dns = r.getString(first + 3);
        return new Location.AddressRange(r.getInt(first), r.getString(first + 1), r.getString(first + 2),
                dns == null || dns.isBlank() ? List.of() : List.of(dns.split(",")));
    }

    private record Free(long id, String address) {}

    private Optional<Free> first(String query, long locationId, int family) {
        return Jdbc.first(h, query, ps -> {
            ps.setLong(1, locationId);
            ps.setInt(2, family);
        }, rs -> new Free(rs.getLong(1), rs.getString(2)));
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(Math.min(50, 1 + attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while allocating an address", e);
        }
    }

    @Override
    public Optional<String> heldBy(long serverId, int family) {
        return Jdbc.first(h, "SELECT address FROM ip_addresses WHERE server_id = ? AND family = ?", ps -> {
            ps.setLong(1, serverId);
            ps.setInt(2, family);
        }, rs -> rs.getString(1));
    }

    @Override
    public void releaseAll(long serverId, Instant now) {
        h.createUpdate("UPDATE ip_addresses SET server_id = NULL, released_at = :now WHERE server_id = :s")
                .bind("s", serverId).bind("now", now).execute();
    }

    @Override
    public int addToPool(long locationId, long rangeId, int family, List<String> addresses) {
        if (addresses.isEmpty()) {
            return 0;
        }
        int added = 0;
        for (int from = 0; from < addresses.size(); from += 10_000) {
            PreparedBatch batch = h.prepareBatch("INSERT INTO ip_addresses (location_id, range_id, family, address) "
                    + "VALUES (:l, :r, :f, :a) ON CONFLICT DO NOTHING");
            for (String a : addresses.subList(from, Math.min(addresses.size(), from + 10_000))) {
                batch.bind("l", locationId).bind("r", rangeId).bind("f", family).bind("a", a).add();
            }
            for (int n : batch.execute()) {
                added += Math.max(n, 0);
            }
        }
        return added;
    }

    @Override
    public Map<String, Location.AddressRange> rangesOf(List<String> addresses) {
        if (addresses.isEmpty()) {
            return Map.of();
        }
        String in = String.join(", ", java.util.Collections.nCopies(addresses.size(), "?"));
        Map<String, Location.AddressRange> ranges = new HashMap<>();
        for (var row : Jdbc.list(h, "SELECT a.address, r.family, r.cidr, r.gateway, r.dns FROM ip_addresses a "
                        + "JOIN address_ranges r ON r.id = a.range_id WHERE a.address IN (" + in + ")", ps -> {
                    for (int i = 0; i < addresses.size(); i++) {
                        ps.setString(i + 1, addresses.get(i));
                    }
                }, r -> Map.entry(r.getString(1), range(r, 2)))) {
            ranges.put(row.getKey(), row.getValue());
        }
        return ranges;
    }
}
