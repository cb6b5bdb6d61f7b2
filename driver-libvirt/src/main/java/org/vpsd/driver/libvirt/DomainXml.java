package org.vpsd.driver.libvirt;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vpsd.server.driver.VmSpec;

/**
 * The domain definition of a server: {@code type} kvm or qemu as the host's catalog entry says
 * (a TCG translation-cache cap for qemu), machine {@code pc}, direct kernel boot when the image has
 * a kernel beside it (else the disk's boot loader), the overlay as a virtio disk, the NoCloud seed
 * as a read-only IDE cdrom, a bridge NIC with a MAC derived from the name, the guest agent's
 * channel, a pty serial console logged by virtlogd, a balloon that reports the guest's memory, and
 * an RNG. libvirt picks the UUID.
 */
final class DomainXml {
    /** Kernel and initrd volumes (paths on the host) for direct kernel boot. */
    record Kernel(String kernel, String initrd) {}

    private static final Pattern TARGET_DEV = Pattern.compile("<interface\\b.*?<target\\s+dev='([^']+)'", Pattern.DOTALL);

    private DomainXml() {}

    static String build(VmSpec spec, LibvirtOptions o, String overlay, String seed, Kernel kernel) {
        boolean tcg = "qemu".equals(spec.domainType());
        StringBuilder x = new StringBuilder();
        x.append("<domain type='").append(tcg ? "qemu" : "kvm").append("'>\n");
        x.append("  <name>").append(esc(spec.name())).append("</name>\n");
        x.append("  <description>vpsd server ").append(esc(spec.hostname())).append("</description>\n");
        x.append("  <memory unit='MiB'>").append(spec.memoryMb()).append("</memory>\n");
        x.append("  <vcpu>").append(spec.vcpus()).append("</vcpu>\n");
        x.append("  <os>\n    <type arch='x86_64' machine='").append(esc(o.machine())).append("'>hvm</type>\n");
        if (kernel != null) {
            x.append("    <kernel>").append(esc(kernel.kernel())).append("</kernel>\n");
            if (kernel.initrd() != null) {
                x.append("    <initrd>").append(esc(kernel.initrd())).append("</initrd>\n");
            }
            x.append("    <cmdline>").append(esc(o.cmdline())).append("</cmdline>\n");
        } else {
            x.append("    <boot dev='hd'/>\n");
        }
        x.append("  </os>\n  <features>\n    <acpi/>\n    <apic/>\n");
        if (tcg && o.tbCacheMib() > 0) {
            x.append("    <tcg><tb-cache unit='MiB'>").append(o.tbCacheMib()).append("</tb-cache></tcg>\n");
        }
        x.append("  </features>\n");
        if (!tcg) {
            x.append("  <cpu mode='host-passthrough'/>\n");
        }
        x.append("""
                  <clock offset='utc'/>
                  <on_poweroff>destroy</on_poweroff>
                  <on_reboot>restart</on_reboot>
                  <on_crash>destroy</on_crash>
                  <devices>
                    <disk type='file' device='disk'>
                      <driver name='qemu' type='qcow2' discard='unmap'/>
                """);
        x.append("      <source file='").append(esc(overlay)).append("'/>\n");
        x.append("""
                      <target dev='vda' bus='virtio'/>
                    </disk>
                    <disk type='file' device='cdrom'>
                      <driver name='qemu' type='raw'/>
                """);
        x.append("      <source file='").append(esc(seed)).append("'/>\n");
        x.append("""
                      <target dev='hdc' bus='ide'/>
                      <readonly/>
                    </disk>
                    <interface type='bridge'>
                """);
        x.append("      <mac address='").append(mac(spec.name())).append("'/>\n");
        x.append("      <source bridge='").append(esc(spec.bridge() == null ? "br0" : spec.bridge())).append("'/>\n");
        x.append("      <model type='virtio'/>\n    </interface>\n    <serial type='pty'>\n");
        if (!o.serialLogDir().isEmpty()) {
            x.append("      <log file='").append(esc(o.serialLogDir() + "/" + spec.name() + "-serial.log")).append("' append='on'/>\n");
        }
        x.append("""
                      <target port='0'/>
                    </serial>
                    <console type='pty'><target type='serial' port='0'/></console>
                    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
                    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
                    <memballoon model='virtio'><stats period='5'/></memballoon>
                  </devices>
                </domain>
                """);
        return x.toString();
    }

    /** A locally administered unicast MAC in QEMU's 52:54:00 range, from the machine's name. */
    static String mac(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return "52:54:00:" + HexFormat.ofDelimiter(":").formatHex(h, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The host-side device of the first NIC in a running domain's live XML (vnetN), or null. */
    static String interfaceDevice(String liveXml) {
        Matcher m = TARGET_DEV.matcher(liveXml);
        return m.find() ? m.group(1) : null;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace("\"", "&quot;");
    }
}
