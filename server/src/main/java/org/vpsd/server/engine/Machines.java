package org.vpsd.server.engine;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.vpsd.server.domain.IpRanges;
import org.vpsd.server.domain.Location;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.VmRef;
import org.vpsd.server.driver.VmSpec;

/** Maps servers to machines: names ({@code vpsd-42}), hosts, and the spec a machine is built from. */
public final class Machines {
    private final String prefix;
    private final Hypervisor hv;

    public Machines(String prefix, Hypervisor hv) {
        this.prefix = prefix;
        this.hv = hv;
    }

    public String name(long serverId) {
        return prefix + serverId;
    }

    /** The server id a machine name stands for, or empty for a machine vpsd did not name. */
    public Optional<Long> serverId(String vmName) {
        if (!vmName.startsWith(prefix)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(vmName.substring(prefix.length())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The URI of the host a server lives on (or will), given its host record if it has one. */
    String hostUri(Server s, Optional<Location.Host> host) {
        if (host.isPresent()) {
            return host.get().uri();
        }
        String uri = hv.defaultHostUri(s.locationCode());
        if (uri == null) {
            throw new StepFailure("Location " + s.locationCode() + " lists no hypervisor host for server " + s.id());
        }
        return uri;
    }

    /**
     * The server's machine. A server not placed on a host (yet, or ever: placement failed) in a
     * location the driver has no default host for has no machine: its reference has no host URI,
     * and drivers report no such machine. Only building it ({@link #spec}) needs the host.
     */
    VmRef ref(Repositories r, Server s) {
        return ref(s, s.hostId() == null ? Optional.empty() : r.catalog().host(s.hostId()));
    }

    /** {@link #ref} where it needs no read (the server is on no host of the catalog's); empty otherwise. */
    Optional<VmRef> refWithoutRead(Server s) {
        return s.hostId() == null ? Optional.of(ref(s, Optional.empty())) : Optional.empty();
    }

    private VmRef ref(Server s, Optional<Location.Host> host) {
        if (host.isEmpty() && hv.defaultHostUri(s.locationCode()) == null) {
            return new VmRef(name(s.id()), null);
        }
        return new VmRef(name(s.id()), hostUri(s, host));
    }

    /**
     * Everything the driver needs to build the server's machine. {@code known}: ranges of its addresses
     * already known (by address), which are not read again.
     */
    VmSpec spec(Repositories r, Server s, Map<String, Location.AddressRange> known) {
        Optional<Location.Host> host = s.hostId() == null ? Optional.empty() : r.catalog().host(s.hostId());
        String key = s.sshKeyId() == null ? null
                : r.sshKeys().find(s.accountId(), s.sshKeyId()).map(k -> k.publicKey()).orElse(null);
        List<String> unknown = held(s).stream().filter(a -> !known.containsKey(a)).toList();
        Map<String, Location.AddressRange> ranges = new java.util.HashMap<>(known);
        if (!unknown.isEmpty()) {
            ranges.putAll(r.addresses().rangesOf(unknown));
        }
        return spec(s, host, key, ranges);
    }

    /**
     * {@link #spec} without a read, where there is nothing to read: the server is on no host of the
     * catalog's, has no SSH key, and the ranges of its addresses are {@code known}. Empty otherwise.
     */
    Optional<VmSpec> specWithoutRead(Server s, Map<String, Location.AddressRange> known) {
        if (s.hostId() != null || s.sshKeyId() != null || !known.keySet().containsAll(held(s))) {
            return Optional.empty();
        }
        return Optional.of(spec(s, Optional.empty(), null, known));
    }

    private static List<String> held(Server s) {
        return java.util.stream.Stream.of(s.ipv4(), s.ipv6()).filter(java.util.Objects::nonNull).toList();
    }

    private VmSpec spec(Server s, Optional<Location.Host> host, String key, Map<String, Location.AddressRange> ranges) {
        Optional<Location.AddressRange> v4Range = Optional.ofNullable(s.ipv4()).map(ranges::get);
        VmSpec.Address v4 = address(s.ipv4(), 4, v4Range);
        VmSpec.Address v6 = address(s.ipv6(), 6, Optional.ofNullable(s.ipv6()).map(ranges::get));
        List<String> dns = v4Range.map(Location.AddressRange::dns).orElse(List.of());
        return new VmSpec(name(s.id()), hostUri(s, host), host.map(Location.Host::domainType).orElse("kvm"),
                host.map(Location.Host::bridge).orElse(null), s.plan().vcpus(), s.plan().memoryMb(), s.plan().storageGb(),
                s.os().image(), s.hostname(), key, v4, v6, dns);
    }

    private static VmSpec.Address address(String address, int family, Optional<Location.AddressRange> range) {
        if (address == null) {
            return null;
        }
        return range.map(rg -> new VmSpec.Address(address, IpRanges.parse(rg.cidr(), family).prefixLength(), rg.gateway()))
                .orElse(new VmSpec.Address(address, family == 4 ? 32 : 128, null));
    }
}
