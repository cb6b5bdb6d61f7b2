package org.vpsd.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IpRangesTest {
    @Test
    void ipv4PoolsLeaveOutNetworkBroadcastAndGateway() {
        var pool = IpRanges.usable(IpRanges.parse("203.0.113.0/29", 4), "203.0.113.1", 100);
        assertThat(pool).containsExactly("203.0.113.2", "203.0.113.3", "203.0.113.4", "203.0.113.5", "203.0.113.6");
        assertThat(IpRanges.usable(IpRanges.parse("203.0.113.7/24", 4), null, 1000)).hasSize(254);
    }

    @Test
    void ipv6PoolsAreWrittenCanonically() {
        var pool = IpRanges.usable(IpRanges.parse("2001:0db8:0000::/64", 6), "2001:db8::1", 3);
        assertThat(pool).containsExactly("2001:db8::2", "2001:db8::3", "2001:db8::4");
        assertThat(IpRanges.canonical("2001:0db8:0:0:1:0:0:1", 6)).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpRanges.canonical("2001:db8:0:1:0:0:0:0", 6)).isEqualTo("2001:db8:0:1::");
        assertThat(IpRanges.canonical("::1", 6)).isEqualTo("::1");
    }

    @Test
    void containment() {
        var cidr = IpRanges.parse("198.51.100.0/24", 4);
        assertThat(cidr.contains("198.51.100.200")).isTrue();
        assertThat(cidr.contains("198.51.101.1")).isFalse();
    }

    @Test
    void rejectsWhatIsNotARange() {
        assertThatThrownBy(() -> IpRanges.parse("203.0.113.0", 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpRanges.parse("203.0.113.0/33", 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpRanges.parse("example.com/24", 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpRanges.parse("2001:db8::/64", 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
