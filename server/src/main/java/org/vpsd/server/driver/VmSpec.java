package org.vpsd.server.driver;

import java.util.List;

/**
 * Everything a driver needs to build a machine. Addresses are given with their prefix length
 * and gateway; {@code sshAuthorizedKey} is an authorized_keys line for root, or null.
 */
public record VmSpec(
        String name,
        String hostUri,
        String domainType,
        String bridge,
        int vcpus,
        int memoryMb,
        int storageGb,
        String image,
        String hostname,
        String sshAuthorizedKey,
        Address ipv4,
        Address ipv6,
        List<String> dns) {

    public VmRef ref() {
        return new VmRef(name, hostUri);
    }

    /** An address with its prefix length ({@code 24}, {@code 64}) and gateway (may be null). */
    public record Address(String address, int prefixLength, String gateway) {}
}
