package org.vpsd.server.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.vpsd.server.domain.Location;
import org.vpsd.server.domain.OsImage;
import org.vpsd.server.domain.Plan;
import org.vpsd.server.domain.Repositories;

final class CatalogSql implements Repositories.Catalog {
    static final RowMapper<Plan> PLAN = (r, ctx) -> new Plan(r.getLong("id"), r.getString("name"), r.getInt("vcpus"),
            r.getInt("memory_mb"), r.getInt("storage_gb"), r.getInt("bandwidth_gb"), r.getBigDecimal("hourly_price"),
            r.getBoolean("available"));
    static final RowMapper<OsImage> OS = (r, ctx) -> new OsImage(r.getLong("id"), r.getString("name"), r.getString("image"),
            r.getBoolean("available"));
    private static final RowMapper<Location.AddressRange> RANGE = (r, ctx) -> new Location.AddressRange(
            r.getInt("family"), r.getString("cidr"), r.getString("gateway"), splitDns(r.getString("dns")));
    private static final RowMapper<Location.Host> HOST = (r, ctx) -> new Location.Host(r.getLong("id"), r.getString("name"),
            r.getString("uri"), r.getInt("vcpus"), r.getInt("memory_mb"), r.getDouble("cpu_ratio"), r.getDouble("memory_ratio"),
            r.getString("domain_type"), r.getString("bridge"), r.getBoolean("enabled"));

    private final Handle h;

    CatalogSql(Handle h) {
        this.h = h;
    }

    private static List<String> splitDns(String dns) {
        return dns == null || dns.isBlank() ? List.of() : Arrays.stream(dns.split(",")).map(String::trim).toList();
    }

    @Override
    public List<Plan> plans() {
        return h.createQuery("SELECT * FROM plans ORDER BY id").map(PLAN).list();
    }

    @Override
    public Optional<Plan> plan(long id) {
        return Jdbc.first(h, "SELECT * FROM plans WHERE id = ?", ps -> ps.setLong(1, id), r -> PLAN.map(r, null));
    }

    @Override
    public List<OsImage> osImages() {
        return h.createQuery("SELECT * FROM os_images ORDER BY id").map(OS).list();
    }

    @Override
    public Optional<OsImage> osImage(long id) {
        return Jdbc.first(h, "SELECT * FROM os_images WHERE id = ?", ps -> ps.setLong(1, id), r -> OS.map(r, null));
    }

    @Override
    public List<Location> locations() {
        Map<Long, List<Location.AddressRange>> ranges = new java.util.HashMap<>();
        h.createQuery("SELECT * FROM address_ranges ORDER BY id").map((r, ctx) -> Map.entry(r.getLong("location_id"), RANGE.map(r, ctx)))
                .forEach(e -> ranges.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        Map<Long, List<Location.Host>> hosts = h.createQuery("SELECT * FROM hosts ORDER BY id")
                .map((r, ctx) -> Map.entry(r.getLong("location_id"), HOST.map(r, ctx)))
                .stream()
                .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        return h.createQuery("SELECT id, code, name, available FROM locations ORDER BY id")
                .map((r, ctx) -> new Location(r.getLong("id"), r.getString("code"), r.getString("name"), r.getBoolean("available"),
                        ranges.getOrDefault(r.getLong("id"), List.of()), hosts.getOrDefault(r.getLong("id"), List.of())))
                .list();
    }

    @Override
    public Optional<LocationRef> locationRef(String code) {
        return Jdbc.first(h, "SELECT id, available FROM locations WHERE code = ?", ps -> ps.setString(1, code),
                r -> new LocationRef(r.getLong(1), r.getBoolean(2)));
    }

    @Override
    public void upsertPlan(Plan p) {
        int n = h.createUpdate("UPDATE plans SET name = :name, vcpus = :vcpus, memory_mb = :memory, storage_gb = :storage, "
                        + "bandwidth_gb = :bandwidth, hourly_price = :price, available = :available WHERE id = :id")
                .bind("id", p.id()).bind("name", p.name()).bind("vcpus", p.vcpus()).bind("memory", p.memoryMb())
                .bind("storage", p.storageGb()).bind("bandwidth", p.bandwidthGb()).bind("price", p.hourlyPrice())
                .bind("available", p.available()).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO plans (id, name, vcpus, memory_mb, storage_gb, bandwidth_gb, hourly_price, available) "
                            + "VALUES (:id, :name, :vcpus, :memory, :storage, :bandwidth, :price, :available)")
                    .bind("id", p.id()).bind("name", p.name()).bind("vcpus", p.vcpus()).bind("memory", p.memoryMb())
                    .bind("storage", p.storageGb()).bind("bandwidth", p.bandwidthGb()).bind("price", p.hourlyPrice())
                    .bind("available", p.available()).execute();
        }
    }

    @Override
    public void upsertOs(OsImage os) {
        int n = h.createUpdate("UPDATE os_images SET name = :name, image = :image, available = :available WHERE id = :id")
                .bind("id", os.id()).bind("name", os.name()).bind("image", os.image()).bind("available", os.available()).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO os_images (id, name, image, available) VALUES (:id, :name, :image, :available)")
                    .bind("id", os.id()).bind("name", os.name()).bind("image", os.image()).bind("available", os.available()).execute();
        }
    }

    @Override
    public long upsertLocation(String code, String name, boolean available) {
        int n = h.createUpdate("UPDATE locations SET name = :name, available = :available WHERE code = :code")
                .bind("code", code).bind("name", name).bind("available", available).execute();
        if (n == 0) {
            return h.createUpdate("INSERT INTO locations (code, name, available) VALUES (:code, :name, :available)")
                    .bind("code", code).bind("name", name).bind("available", available)
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        }
        return h.createQuery("SELECT id FROM locations WHERE code = :code").bind("code", code).mapTo(Long.class).one();
    }

    @Override
    public Repositories.RangeId ensureRange(long locationId, Location.AddressRange range) {
        String dns = String.join(",", range.dns());
        Optional<Long> existing = h.createQuery("SELECT id FROM address_ranges WHERE location_id = :l AND cidr = :cidr")
                .bind("l", locationId).bind("cidr", range.cidr()).mapTo(Long.class).findOne();
        if (existing.isPresent()) {
            h.createUpdate("UPDATE address_ranges SET gateway = :gw, dns = :dns WHERE id = :id")
                    .bind("id", existing.get()).bind("gw", range.gateway()).bind("dns", dns).execute();
            return new Repositories.RangeId(existing.get(), false);
        }
        long id = h.createUpdate("INSERT INTO address_ranges (location_id, family, cidr, gateway, dns) VALUES (:l, :f, :cidr, :gw, :dns)")
                .bind("l", locationId).bind("f", range.family()).bind("cidr", range.cidr()).bind("gw", range.gateway()).bind("dns", dns)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        return new Repositories.RangeId(id, true);
    }

    @Override
    public void upsertHost(long locationId, Location.Host host) {
        int n = h.createUpdate("UPDATE hosts SET location_id = :l, uri = :uri, vcpus = :vcpus, memory_mb = :mem, cpu_ratio = :cr, "
                        + "memory_ratio = :mr, domain_type = :dt, bridge = :bridge, enabled = :enabled WHERE name = :name")
                .bindMethods(host).bind("l", locationId).bind("mem", host.memoryMb()).bind("cr", host.cpuRatio())
                .bind("mr", host.memoryRatio()).bind("dt", host.domainType()).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO hosts (location_id, name, uri, vcpus, memory_mb, cpu_ratio, memory_ratio, domain_type, bridge, enabled) "
                            + "VALUES (:l, :name, :uri, :vcpus, :mem, :cr, :mr, :dt, :bridge, :enabled)")
                    .bindMethods(host).bind("l", locationId).bind("mem", host.memoryMb()).bind("cr", host.cpuRatio())
                    .bind("mr", host.memoryRatio()).bind("dt", host.domainType()).execute();
        }
    }

    @Override
    public Optional<Location.Host> host(long id) {
        return h.createQuery("SELECT * FROM hosts WHERE id = :id").bind("id", id).map(HOST).findOne();
    }

    /** A host with room for a server of {@code ?} vCPUs and {@code ?} MB (after its ratios), and enabled. */
    static final String ROOM = "enabled AND used_vcpus + ? <= vcpus * cpu_ratio AND used_memory_mb + ? <= memory_mb * memory_ratio";

    /** The placement rule: the most free memory first (after the ratio), then the oldest host. */
    static final String MOST_FREE_MEMORY_FIRST = "ORDER BY memory_mb * memory_ratio - used_memory_mb DESC, id";

    @Override
    public boolean reserveCapacity(long hostId, int vcpus, int memoryMb) {
        return Jdbc.update(h, "UPDATE hosts SET used_vcpus = used_vcpus + ?, used_memory_mb = used_memory_mb + ? WHERE id = ? AND " + ROOM,
                ps -> {
                    ps.setInt(1, vcpus);
                    ps.setInt(2, memoryMb);
                    ps.setLong(3, hostId);
                    ps.setInt(4, vcpus);
                    ps.setInt(5, memoryMb);
                }) == 1;
    }

    @Override
    public Optional<Long> reserveOnHostWithMostFreeMemory(long locationId, int vcpus, int memoryMb) {
        // The candidates in the rule's order, each reserved only if it still has room (another placement may
        // have taken it since the read): the first that does is the one.
        List<Long> candidates = Jdbc.list(h, "SELECT id FROM hosts WHERE location_id = ? AND " + ROOM + " " + MOST_FREE_MEMORY_FIRST, ps -> {
            ps.setLong(1, locationId);
            ps.setInt(2, vcpus);
            ps.setInt(3, memoryMb);
        }, r -> r.getLong(1));
        return candidates.stream().filter(id -> reserveCapacity(id, vcpus, memoryMb)).findFirst();
    }

    @Override
    public boolean hasHosts(long locationId) {
        return Jdbc.first(h, "SELECT 1 FROM hosts WHERE location_id = ? LIMIT 1", ps -> ps.setLong(1, locationId), r -> 1).isPresent();
    }

    @Override
    public void releaseCapacity(long hostId, int vcpus, int memoryMb) {
        h.createUpdate("UPDATE hosts SET used_vcpus = used_vcpus - :v, used_memory_mb = used_memory_mb - :m WHERE id = :id")
                .bind("id", hostId).bind("v", vcpus).bind("m", memoryMb).execute();
    }

    @Override
    public boolean planInUse(long planId) {
        return h.createQuery("SELECT COUNT(*) FROM servers WHERE plan_id = :id AND status <> 'deleted'").bind("id", planId)
                .mapTo(Long.class).one() > 0;
    }

    @Override
    public boolean osInUse(long osId) {
        return h.createQuery("SELECT COUNT(*) FROM servers WHERE os_id = :id AND status <> 'deleted'").bind("id", osId)
                .mapTo(Long.class).one() > 0;
    }
}
