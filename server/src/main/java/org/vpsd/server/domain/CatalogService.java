package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The provider's catalog. {@link #apply} makes the stored catalog match a document: what the
 * document names is created or updated; plans, images and locations it no longer names are kept
 * (servers refer to them) but take no new servers; hosts it no longer names are disabled. Address
 * ranges are only ever added: addresses may be held.
 */
public final class CatalogService {
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    private static final Set<String> DOMAIN_TYPES = Set.of("kvm", "qemu");
    private static final int DEFAULT_IPV6_POOL = 65_536;

    private final Transactor tx;

    public CatalogService(Transactor tx) {
        this.tx = tx;
    }

    public List<Plan> plans() {
        return tx.read(r -> r.catalog().plans());
    }

    public List<OsImage> osImages() {
        return tx.read(r -> r.catalog().osImages());
    }

    public List<Location> locations() {
        return tx.read(r -> r.catalog().locations());
    }

    /** What an application of a catalog changed. */
    public record Applied(int plans, int osImages, int locations, int hosts, int addressesAdded) {}

    public Applied apply(CatalogSpec spec) {
        List<String> problems = validate(spec);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid catalog: " + String.join("; ", problems));
        }
        return tx.inTransaction(r -> {
            Set<Long> planIds = new HashSet<>();
            for (Plan p : spec.plans()) {
                r.catalog().upsertPlan(p);
                planIds.add(p.id());
            }
            for (Plan p : r.catalog().plans()) {
                if (!planIds.contains(p.id()) && p.available()) {
                    r.catalog().upsertPlan(new Plan(p.id(), p.name(), p.vcpus(), p.memoryMb(), p.storageGb(), p.bandwidthGb(),
                            p.hourlyPrice(), false));
                }
            }
            Set<Long> osIds = new HashSet<>();
            for (OsImage os : spec.os()) {
                r.catalog().upsertOs(os);
                osIds.add(os.id());
            }
            for (OsImage os : r.catalog().osImages()) {
                if (!osIds.contains(os.id()) && os.available()) {
                    r.catalog().upsertOs(new OsImage(os.id(), os.name(), os.image(), false));
                }
            }
            int added = 0;
            int hosts = 0;
            Set<String> codes = new HashSet<>();
            Set<String> hostNames = new HashSet<>();
            for (CatalogSpec.LocationSpec l : spec.locations()) {
                long id = r.catalog().upsertLocation(l.code(), l.name(), l.available());
                codes.add(l.code());
                for (CatalogSpec.RangeSpec range : l.ipv4()) {
                    added += addRange(r, id, 4, range, l.dns(), IpRanges.MAX_POOL);
                }
                for (CatalogSpec.RangeSpec range : l.ipv6()) {
                    int size = range.poolSize() == null ? DEFAULT_IPV6_POOL : range.poolSize();
                    added += addRange(r, id, 6, range, l.dns(), size);
                }
                for (Location.Host host : l.hosts()) {
                    r.catalog().upsertHost(id, host);
                    hostNames.add(host.name());
                    hosts++;
                }
            }
            for (Location l : r.catalog().locations()) {
                if (!codes.contains(l.code()) && l.available()) {
                    r.catalog().upsertLocation(l.code(), l.name(), false);
                }
                for (Location.Host h : l.hosts()) {
                    if (!hostNames.contains(h.name()) && h.enabled()) {
                        r.catalog().upsertHost(l.id(), new Location.Host(h.id(), h.name(), h.uri(), h.vcpus(), h.memoryMb(),
                                h.cpuRatio(), h.memoryRatio(), h.domainType(), h.bridge(), false));
                    }
                }
            }
            return new Applied(spec.plans().size(), spec.os().size(), spec.locations().size(), hosts, added);
        });
    }

    private static int addRange(Repositories r, long locationId, int family, CatalogSpec.RangeSpec range, List<String> dns, int limit) {
        IpRanges.Cidr cidr = IpRanges.parse(range.cidr(), family);
        String gateway = range.gateway() == null ? null : IpRanges.canonical(range.gateway(), family);
        String canonicalCidr = IpRanges.format(cidr.network(), family) + "/" + cidr.prefixLength();
        Repositories.RangeId id = r.catalog().ensureRange(locationId, new Location.AddressRange(family, canonicalCidr, gateway,
                dns == null ? List.of() : dns));
        if (!id.created()) {
            return 0;
        }
        return r.addresses().addToPool(locationId, id.id(), family, IpRanges.usable(cidr, gateway, limit));
    }

    static List<String> validate(CatalogSpec spec) {
        List<String> problems = new ArrayList<>();
        Set<Long> ids = new HashSet<>();
        for (Plan p : spec.plans()) {
            String where = "plan " + p.id();
            if (p.id() <= 0 || !ids.add(p.id())) {
                problems.add(where + ": ids must be positive and unique");
            }
            if (p.name() == null || p.name().isBlank() || p.name().length() > 100) {
                problems.add(where + ": a name of 1 to 100 characters is required");
            }
            if (p.vcpus() < 1 || p.memoryMb() < 64 || p.storageGb() < 1 || p.bandwidthGb() < 0) {
                problems.add(where + ": vcpus >= 1, memory >= 64 MB, storage >= 1 GB and bandwidth >= 0 are required");
            }
            if (p.hourlyPrice() == null || p.hourlyPrice().signum() < 0 || p.hourlyPrice().scale() > 6
                    || p.hourlyPrice().compareTo(BigDecimal.valueOf(1_000_000)) >= 0) {
                problems.add(where + ": price_hourly must be a non-negative amount with at most 6 decimals");
            }
        }
        ids.clear();
        for (OsImage os : spec.os()) {
            if (os.id() <= 0 || !ids.add(os.id())) {
                problems.add("os " + os.id() + ": ids must be positive and unique");
            }
            if (os.name() == null || os.name().isBlank() || os.name().length() > 100) {
                problems.add("os " + os.id() + ": a name of 1 to 100 characters is required");
            }
            if (os.image() == null || os.image().isBlank() || os.image().length() > 500) {
                problems.add("os " + os.id() + ": an image is required");
            }
        }
        Set<String> codes = new HashSet<>();
        Set<String> hostNames = new HashSet<>();
        List<IpRanges.Cidr> blocks = new ArrayList<>();
        for (CatalogSpec.LocationSpec l : spec.locations()) {
            String where = "location " + l.code();
            if (l.code() == null || !CODE.matcher(l.code()).matches() || !codes.add(l.code())) {
                problems.add(where + ": codes are unique, 1 to 32 of a-z 0-9 -");
            }
            if (l.name() == null || l.name().isBlank() || l.name().length() > 100) {
                problems.add(where + ": a name of 1 to 100 characters is required");
            }
            if (String.join(",", l.dns() == null ? List.<String>of() : l.dns().stream().map(String::valueOf).toList()).length() > 500) {
                problems.add(where + ": the dns list is longer than 500 characters");
            }
            if (l.ipv4().isEmpty() || l.ipv6().isEmpty()) {
                problems.add(where + ": at least one IPv4 range and one IPv6 prefix are required");
            }
            checkRanges(problems, where, 4, l.ipv4(), blocks);
            checkRanges(problems, where, 6, l.ipv6(), blocks);
            for (String dns : l.dns() == null ? List.<String>of() : l.dns()) {
                try {
                    IpRanges.canonical(dns, dns.contains(":") ? 6 : 4);
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": dns " + e.getMessage());
                }
            }
            for (Location.Host h : l.hosts()) {
                String hw = where + ", host " + h.name();
                if (h.name() == null || h.name().isBlank() || h.name().length() > 100 || !hostNames.add(h.name())) {
                    problems.add(hw + ": host names are required and unique");
                }
                if (h.uri() == null || h.uri().isBlank() || h.uri().length() > 500 || (h.bridge() != null && h.bridge().length() > 64)) {
                    problems.add(hw + ": a uri is required");
                }
                if (h.vcpus() < 1 || h.memoryMb() < 64 || !(h.cpuRatio() > 0) || !(h.memoryRatio() > 0)) {
                    problems.add(hw + ": vcpus, memory and positive ratios are required");
                }
                if (!DOMAIN_TYPES.contains(h.domainType())) {
                    problems.add(hw + ": domain_type is kvm or qemu");
                }
            }
        }
        return problems;
    }

    private static void checkRanges(List<String> problems, String where, int family, List<CatalogSpec.RangeSpec> ranges,
            List<IpRanges.Cidr> blocks) {
        for (CatalogSpec.RangeSpec range : ranges) {
            try {
                IpRanges.Cidr cidr = IpRanges.parse(range.cidr(), family);
                if (family == 4 && cidr.prefixLength() < 12) {
                    problems.add(where + ": " + range.cidr() + " is larger than a /12");
                }
                if (family == 6 && cidr.prefixLength() > 120) {
                    problems.add(where + ": " + range.cidr() + " is smaller than a /120");
                }
                if (range.gateway() != null && !cidr.contains(range.gateway())) {
                    problems.add(where + ": gateway " + range.gateway() + " is not in " + range.cidr());
                }
                if (range.poolSize() != null && (range.poolSize() < 1 || range.poolSize() > IpRanges.MAX_POOL)) {
                    problems.add(where + ": pool_size is 1 to " + IpRanges.MAX_POOL);
                }
                for (IpRanges.Cidr other : blocks) {
                    if (other.family() == family && (other.contains(IpRanges.format(cidr.network(), family))
                            || cidr.contains(IpRanges.format(other.network(), family)))) {
                        problems.add(where + ": " + range.cidr() + " overlaps another range");
                    }
                }
                blocks.add(cidr);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
    }
}
