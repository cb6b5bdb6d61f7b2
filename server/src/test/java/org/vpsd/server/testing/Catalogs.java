package org.vpsd.server.testing;

/** Catalogs tests apply through the admin API. */
public final class Catalogs {
    private Catalogs() {}

    /** One plan, one image, and a location whose IPv4 pool holds five addresses (192.0.2.2 to .6). */
    public static final String TINY_POOL = """
            plans:
              - {id: 1, name: Standard VPS, vcpus: 2, memory: 4096, storage: 80, bandwidth: 2048, price_hourly: 0.03}
            os:
              - {id: 5, name: Ubuntu 22.04 LTS, image: ubuntu-22.04}
            locations:
              - code: tiny
                name: Tiny
                ipv4: [{cidr: 192.0.2.0/29, gateway: 192.0.2.1}]
                ipv6: [{cidr: "2001:db8:7::/64", gateway: "2001:db8:7::1", pool_size: 100}]
            """;
}
