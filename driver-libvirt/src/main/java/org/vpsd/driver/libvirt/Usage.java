package org.vpsd.driver.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.LibvirtException;
import org.libvirt.MemoryStatistic;
import org.vpsd.server.driver.UsageSample;

/**
 * What a running domain uses, from libvirt:
 * <ul>
 *   <li>CPU: the growth of the domain's CPU time between two samples, over the wall time between
 *       them and its vCPUs (the first sample of a boot measures over a short interval);
 *   <li>memory: the balloon driver's guest statistics, {@code available - usable} (else
 *       {@code available - unused}); before the guest reports them, QEMU's resident size, capped
 *       at the plan's memory;
 *   <li>network: received plus sent bytes of the NIC's host-side device since power-on;
 *   <li>disk: the guest agent's {@code guest-get-fsinfo} ({@code used-bytes} of {@code /}) when
 *       the agent answers, else nothing (the server then shows the overlay's allocation).
 * </ul>
 */
final class Usage {
    private static final long GIB = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    // virDomainMemoryStatTags
    private static final int UNUSED = 4;
    private static final int AVAILABLE = 5;
    private static final int ACTUAL = 6;
    private static final int RSS = 7;
    private static final int USABLE = 8;

    private record CpuReading(int domainId, long cpuTimeNs, long atNs) {}

    private final Map<String, CpuReading> lastCpu = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int agentTimeout;

    Usage(Clock clock, int agentTimeout) {
        this.clock = clock;
        this.agentTimeout = agentTimeout;
    }

    /** Whole GiB, rounded up, of a byte count. */
    static long gib(long bytes) {
        return (bytes + GIB - 1) / GIB;
    }

    UsageSample off(long allocatedBytes) {
        return new UsageSample(0, 0, null, gib(allocatedBytes), 0, clock.instant());
    }

    UsageSample running(String key, Domain d, DomainInfo info, long allocatedBytes) throws LibvirtException {
        double cpu = cpuPercent(key, d, info);
        long maxMb = Math.max(1, info.maxMem / 1024);
        long memory = Math.min(maxMb, Math.max(1, memoryKib(d) / 1024));
        String dev = DomainXml.interfaceDevice(d.getXMLDesc(0));
        long net = 0;
        if (dev != null) {
            DomainInterfaceStats s = d.interfaceStats(dev);
            net = Math.max(0, s.rx_bytes) + Math.max(0, s.tx_bytes);
        }
        Long disk = guestDiskGb(d);
        return new UsageSample(Math.round(cpu * 10) / 10.0, memory, disk, gib(allocatedBytes), net, clock.instant());
    }

    private double cpuPercent(String key, Domain d, DomainInfo info) throws LibvirtException {
        int id = d.getID();
        long now = System.nanoTime();
        CpuReading prev = lastCpu.get(key);
        if (prev == null || prev.domainId() != id || now - prev.atNs() < 50_000_000L) {
            prev = new CpuReading(id, info.cpuTime, now);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            info = d.getInfo();
            now = System.nanoTime();
        }
        lastCpu.put(key, new CpuReading(id, info.cpuTime, now));
        double wall = (now - prev.atNs()) * (double) Math.max(1, info.nrVirtCpu);
        double pct = wall <= 0 ? 0 : 100.0 * (info.cpuTime - prev.cpuTimeNs()) / wall;
        return Math.max(0, Math.min(100, pct));
    }

    void forget(String key) {
        lastCpu.remove(key);
    }

    private static long memoryKib(Domain d) throws LibvirtException {
        Map<Integer, Long> m = new java.util.HashMap<>();
        for (MemoryStatistic s : d.memoryStats(13)) {
            m.put(s.getTag(), s.getValue());
        }
        Long available = m.get(AVAILABLE);
        if (available != null && m.get(USABLE) != null) {
            return available - m.get(USABLE);
        }
        if (available != null && m.get(UNUSED) != null) {
            return available - m.get(UNUSED);
        }
        long rss = m.getOrDefault(RSS, 0L);
        Long actual = m.get(ACTUAL);
        return actual == null ? rss : Math.min(rss, actual);
    }

    /** Used GiB of the guest's root filesystem, or null when the agent does not answer. */
    private Long guestDiskGb(Domain d) {
        try {
            String out = d.qemuAgentCommand("{\"execute\":\"guest-get-fsinfo\"}", agentTimeout, 0);
            for (JsonNode fs : JSON.readTree(out).path("return")) {
                if ("/".equals(fs.path("mountpoint").asText()) && fs.has("used-bytes")) {
                    return Math.round(fs.get("used-bytes").asLong() / (double) GIB);
                }
            }
            return null;
        } catch (LibvirtException | java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
