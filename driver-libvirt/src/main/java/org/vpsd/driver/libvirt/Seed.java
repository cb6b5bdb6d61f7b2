package org.vpsd.driver.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.vpsd.server.driver.HypervisorException;
import org.vpsd.server.driver.VmSpec;

/**
 * A server's NoCloud seed, exactly as {@code scripts/libvirt/make-seed.sh} writes it: meta-data
 * (instance-id, local-hostname), user-data (#cloud-config: root's authorized key, ed25519 host key
 * only) and network-config (version 2: the NIC matched by the MAC the domain gets, static IPv4 and
 * IPv6 with their gateways, DNS). Every string is double-quoted (YAML 1.1 reads some IPv6
 * addresses as numbers otherwise). {@link #iso} packs them as ISO 9660 + Joliet + Rock Ridge with
 * the volume label {@code cidata}, as cloud-init and the image's vpsd-firstboot expect.
 */
final class Seed {
    final String metaData;
    final String userData;
    final String networkConfig;

    Seed(VmSpec spec) {
        String mac = DomainXml.mac(spec.name());
        List<String> keys = spec.sshAuthorizedKey() == null ? List.of()
                : spec.sshAuthorizedKey().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        this.userData = userData(keys);
        this.networkConfig = networkConfig(spec, mac);
        String iid = "iid-" + sha256(spec.name() + "\n" + spec.hostname() + "\n" + userData + networkConfig).substring(0, 16);
        this.metaData = "instance-id: " + q(iid) + "\nlocal-hostname: " + q(spec.hostname()) + "\n";
    }

    private static String userData(List<String> keys) {
        StringBuilder u = new StringBuilder("#cloud-config\n");
        u.append("# root logs in with these keys (cloud-init's default, disable_root: true, would refuse it)\n");
        u.append("disable_root: false\nssh_pwauth: false\n");
        if (!keys.isEmpty()) {
            u.append("ssh_authorized_keys:\n");
            keys.forEach(k -> u.append("  - ").append(q(k)).append('\n'));
        }
        u.append("# only an ed25519 host key (RSA key generation takes seconds under TCG)\n");
        u.append("ssh_genkeytypes:\n  - \"ed25519\"\nmanage_etc_hosts: true\n");
        return u.toString();
    }

    private static String networkConfig(VmSpec spec, String mac) {
        StringBuilder n = new StringBuilder("version: 2\nethernets:\n  eth0:\n    match:\n");
        n.append("      macaddress: ").append(q(mac)).append("\n    set-name: \"eth0\"\n");
        VmSpec.Address v4 = spec.ipv4();
        VmSpec.Address v6 = spec.ipv6();
        if (v4 == null && v6 == null) {
            n.append("    dhcp4: true\n");
        } else {
            n.append("    dhcp4: false\n    dhcp6: false\n    accept-ra: false\n    addresses:\n");
            for (VmSpec.Address a : new VmSpec.Address[] {v4, v6}) {
                if (a != null) {
                    n.append("      - ").append(q(a.address() + "/" + a.prefixLength())).append('\n');
                }
            }
            boolean gw4 = v4 != null && v4.gateway() != null;
            boolean gw6 = v6 != null && v6.gateway() != null;
            if (gw4 || gw6) {
                n.append("    routes:\n");
                if (gw4) {
                    n.append("      - to: \"0.0.0.0/0\"\n        via: ").append(q(v4.gateway())).append('\n');
                }
                if (gw6) {
                    n.append("      - to: \"::/0\"\n        via: ").append(q(v6.gateway())).append('\n');
                }
            }
        }
        if (spec.dns() != null && !spec.dns().isEmpty()) {
            n.append("    nameservers:\n      addresses:\n");
            spec.dns().forEach(d -> n.append("        - ").append(q(d)).append('\n'));
        }
        return n.toString();
    }

    /** A YAML double-quoted scalar (also valid JSON). */
    static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The seed as an ISO image (label cidata), built with genisoimage in a temporary directory. */
    byte[] iso(String genisoimage) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("vpsd-seed-");
            Files.writeString(dir.resolve("meta-data"), metaData);
            Files.writeString(dir.resolve("user-data"), userData);
            Files.writeString(dir.resolve("network-config"), networkConfig);
            Path iso = dir.resolve("seed.iso");
            List<String> cmd = new ArrayList<>(List.of(genisoimage, "-quiet", "-output", iso.toString(), "-volid", "cidata",
                    "-joliet", "-rock"));
            for (String f : List.of("user-data", "meta-data", "network-config")) {
                cmd.add(dir.resolve(f).toString());
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new HypervisorException("genisoimage failed: " + out.strip());
            }
            return Files.readAllBytes(iso);
        } catch (IOException e) {
            throw new HypervisorException("Cannot build the seed ISO (is " + genisoimage + " installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("Interrupted while building the seed ISO", e);
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory left behind
                }
            }
        }
    }
}
