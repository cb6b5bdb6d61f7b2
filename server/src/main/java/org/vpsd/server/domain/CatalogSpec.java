package org.vpsd.server.domain;

import java.util.List;

/**
 * A whole catalog as the provider writes it in a file: plans, OS images, and locations with their
 * address ranges and hypervisor hosts.
 */
public record CatalogSpec(List<Plan> plans, List<OsImage> os, List<LocationSpec> locations) {

    /** A location: IPv4 ranges, IPv6 prefixes, resolvers and hosts. */
    public record LocationSpec(
            String code,
            String name,
            boolean available,
            List<RangeSpec> ipv4,
            List<RangeSpec> ipv6,
            List<String> dns,
            List<Location.Host> hosts) {}

    /** A CIDR block with its gateway; for IPv6, how many addresses of the prefix to hand out. */
    public record RangeSpec(String cidr, String gateway, Integer poolSize) {}
}
