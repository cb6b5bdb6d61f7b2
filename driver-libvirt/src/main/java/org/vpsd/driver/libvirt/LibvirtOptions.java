package org.vpsd.driver.libvirt;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The driver's options, from {@code --driver-option KEY=VALUE} (see driver-libvirt/README.md).
 *
 * @param pool         storage pool holding base images, overlays and seeds ({@code pool}, default {@code vpsd})
 * @param powerMode    how shutdown and reboot reach the guest: {@code acpi} (power button), {@code agent}
 *                     (qemu-guest-agent) or {@code default} (libvirt picks: the agent when connected, else ACPI)
 * @param cmdline      kernel command line for direct kernel boot ({@code kernel-cmdline})
 * @param machine      machine type ({@code machine}, default {@code pc}: IDE for the seed cdrom)
 * @param tbCacheMib   TCG translation cache for {@code domain_type: qemu} hosts ({@code tb-cache-mib}, 0 = QEMU's default)
 * @param genisoimage  the ISO 9660 tool used to build seeds ({@code genisoimage})
 * @param agentTimeout seconds to wait for the guest agent's answer in usage ({@code agent-timeout})
 * @param serialLogDir where the hosts' virtlogd writes each guest's serial console ({@code serial-log-dir}, empty: no log)
 * @param keepalive    seconds between keepalive probes on each connection ({@code keepalive}, 0: off)
 */
public record LibvirtOptions(
        String pool,
        String powerMode,
        String cmdline,
        String machine,
        int tbCacheMib,
        String genisoimage,
        int agentTimeout,
        String serialLogDir,
        int keepalive) {

    static final Set<String> KEYS = Set.of("pool", "power-mode", "kernel-cmdline", "machine", "tb-cache-mib", "genisoimage",
            "agent-timeout", "serial-log-dir", "keepalive");

    public static LibvirtOptions defaults() {
        return from(Map.of());
    }

    public static LibvirtOptions from(Map<String, String> o) {
        for (String key : o.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("Unknown libvirt driver option \"" + key + "\"; known: " + KEYS.stream().sorted().toList());
            }
        }
        String mode = o.getOrDefault("power-mode", "acpi").toLowerCase(Locale.ROOT);
        if (!Set.of("acpi", "agent", "default").contains(mode)) {
            throw new IllegalArgumentException("power-mode must be acpi, agent or default, not " + mode);
        }
        return new LibvirtOptions(
                o.getOrDefault("pool", "vpsd"),
                mode,
                o.getOrDefault("kernel-cmdline", "root=/dev/vda console=ttyS0 net.ifnames=0 quiet"),
                o.getOrDefault("machine", "pc"),
                Integer.parseInt(o.getOrDefault("tb-cache-mib", "128")),
                o.getOrDefault("genisoimage", "genisoimage"),
                Integer.parseInt(o.getOrDefault("agent-timeout", "2")),
                o.getOrDefault("serial-log-dir", "/var/log/libvirt/qemu"),
                Integer.parseInt(o.getOrDefault("keepalive", "5")));
    }

    /** libvirt's flags for shutdown and reboot: VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN = 1, _GUEST_AGENT = 2. */
    int powerFlags() {
        return switch (powerMode) {
            case "acpi" -> 1;
            case "agent" -> 2;
            default -> 0;
        };
    }
}
