package org.vpsd.server.domain;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Address arithmetic for pools: parsing CIDR ranges, listing their usable addresses, canonical text. */
public final class IpRanges {
    /** The largest pool one range may add (a /12 of IPv4). */
    public static final int MAX_POOL = 1 << 20;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private IpRanges() {}

    /** A parsed CIDR block. */
    public record Cidr(int family, BigInteger network, int prefixLength) {
        int bits() {
            return family == 4 ? 32 : 128;
        }

        BigInteger size() {
            return BigInteger.ONE.shiftLeft(bits() - prefixLength);
        }

        public boolean contains(String address) {
            BigInteger a = toNumber(address, family);
            return a.shiftRight(bits() - prefixLength).equals(network.shiftRight(bits() - prefixLength));
        }
    }

    /** Parses {@code 203.0.113.0/24} or {@code 2001:db8::/64}; throws IllegalArgumentException with a reason. */
    public static Cidr parse(String cidr, int family) {
        int slash = cidr == null ? -1 : cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR block: " + cidr);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        int bits = family == 4 ? 32 : 128;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        BigInteger address = toNumber(cidr.substring(0, slash), family);
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        return new Cidr(family, address.and(mask), prefix);
    }

    static BigInteger toNumber(String text, int family) {
        if (family == 4 && !IPV4.matcher(text).matches()) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        if (family == 6 && !text.contains(":")) {
            throw new IllegalArgumentException("not an IPv6 address: " + text);
        }
        try {
            byte[] bytes = InetAddress.getByName(text).getAddress();
            if (bytes.length != (family == 4 ? 4 : 16)) {
                throw new IllegalArgumentException("not an IPv" + family + " address: " + text);
            }
            return new BigInteger(1, bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
    }

    /** The canonical text of an address: dotted quad, or RFC 5952 for IPv6 ({@code 2001:db8::1}). */
    public static String format(BigInteger n, int family) {
        if (family == 4) {
            long v = n.longValue();
            return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = n.shiftRight(16 * (7 - i)).intValue() & 0xFFFF;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append(i == 0 ? "::" : ":");
                i += bestLen - 1;
                continue;
            }
            sb.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    public static String canonical(String address, int family) {
        return format(toNumber(address, family), family);
    }

    /**
     * The addresses of a range that servers may hold: for IPv4 all but the network and broadcast
     * addresses (of blocks larger than /31) and the gateway; for IPv6 the first {@code limit}
     * addresses after the subnet-router anycast address, but the gateway.
     */
    public static List<String> usable(Cidr cidr, String gateway, int limit) {
        BigInteger gw = gateway == null ? null : toNumber(gateway, cidr.family());
        BigInteger size = cidr.size();
        BigInteger first = cidr.network();
        BigInteger last = cidr.network().add(size).subtract(BigInteger.ONE);
        if (cidr.family() == 6 || cidr.prefixLength() < 31) {
            first = first.add(BigInteger.ONE);
            if (cidr.family() == 4) {
                last = last.subtract(BigInteger.ONE);
            }
        }
        List<String> out = new ArrayList<>();
        for (BigInteger a = first; a.compareTo(last) <= 0 && out.size() < limit; a = a.add(BigInteger.ONE)) {
            if (!a.equals(gw)) {
                out.add(format(a, cidr.family()));
            }
        }
        return out;
    }
}
