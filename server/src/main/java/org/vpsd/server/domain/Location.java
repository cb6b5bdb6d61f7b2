package org.vpsd.server.domain;

import java.util.List;

/**
 * A data-centre location: its code (what a create body names), its address ranges and the
 * hypervisor hosts that run its servers.
 */
public record Location(
        long id,
        String code,
        String name,
        boolean available,
        List<AddressRange> ranges,
        List<Host> hosts) {

    /** One IPv4 range or IPv6 prefix of a location, with its gateway and resolvers. */
    public record AddressRange(int family, String cidr, String gateway, List<String> dns) {}

    /**
     * A hypervisor host: a libvirt URI, its physical capacity and overcommit ratios, and the
     * domain type it runs ({@code kvm} or {@code qemu}).
     */
    public record Host(
            long id,
            String name,
            String uri,
            int vcpus,
            int memoryMb,
            double cpuRatio,
            double memoryRatio,
            String domainType,
            String bridge,
            boolean enabled) {}
}
