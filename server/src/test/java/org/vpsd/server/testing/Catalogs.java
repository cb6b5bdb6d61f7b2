package org.vpsd.server.testing;

/** Catalogs tests apply through the admin API. */
public final class Catalogs {
    private Catalogs() {}

    /** The plan and the image of every catalog here: plan 1 "Standard VPS" (2 vCPUs, 4 GiB), OS 5. */
    private static final String PLAN_AND_IMAGE = """
            plans:
              - {id: 1, name: Standard VPS, vcpus: 2, memory: 4096, storage: 80, bandwidth: 2048, price_hourly: 0.03}
            os:
              - {id: 5, name: Ubuntu 22.04 LTS, image: ubuntu-22.04}
            """;

    /** One plan, one image, and a location whose IPv4 pool holds five addresses (192.0.2.2 to .6). */
    public static final String TINY_POOL = PLAN_AND_IMAGE + """
            locations:
              - code: tiny
                name: Tiny
                ipv4: [{cidr: 192.0.2.0/29, gateway: 192.0.2.1}]
                ipv6: [{cidr: "2001:db8:7::/64", gateway: "2001:db8:7::1", pool_size: 100}]
            """;

    /**
     * One plan, one image, and a location "racks" with three hosts: room for one Standard VPS on rack-1 and
     * two on rack-2 (no overcommit); rack-3 is disabled.
     */
    public static final String RACKS = PLAN_AND_IMAGE + """
            locations:
              - code: racks
                name: Racks
                ipv4: [{cidr: 192.0.2.0/28, gateway: 192.0.2.1}]
                ipv6: [{cidr: "2001:db8:9::/64", gateway: "2001:db8:9::1", pool_size: 100}]
                hosts:
                  - {name: rack-1, uri: "sim:rack-1", vcpus: 2, memory: 4096, cpu_ratio: 1.0, memory_ratio: 1.0}
                  - {name: rack-2, uri: "sim:rack-2", vcpus: 4, memory: 8192, cpu_ratio: 1.0, memory_ratio: 1.0}
                  - {name: rack-3, uri: "sim:rack-3", vcpus: 64, memory: 262144, enabled: false}
            """;

    /** {@link #RACKS} with these hosts instead (each a YAML flow map). */
    public static String racksWith(String... hosts) {
        StringBuilder yaml = new StringBuilder("hosts:\n");
        for (String host : hosts) {
            yaml.append("      - ").append(host).append('\n');
        }
        return RACKS.replaceFirst("(?s)hosts:.*", java.util.regex.Matcher.quoteReplacement(yaml.toString()));
    }

    /** A host for {@link #racksWith}: {@code uri} "sim:NAME", no overcommit. */
    public static String host(String name, int vcpus, int memoryMb) {
        return "{name: " + name + ", uri: \"sim:" + name + "\", vcpus: " + vcpus + ", memory: " + memoryMb
                + ", cpu_ratio: 1.0, memory_ratio: 1.0}";
    }
}
