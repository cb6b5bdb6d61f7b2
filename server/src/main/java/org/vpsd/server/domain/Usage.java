package org.vpsd.server.domain;

import java.time.Instant;

/**
 * What a server uses, as last collected from its hypervisor: CPU in percent, memory in MB, disk
 * in GB, bandwidth in GB this month.
 */
public record Usage(double cpuPercent, long memoryMb, long diskGb, long bandwidthGb, Instant collectedAt) {
    public static final Usage NONE = new Usage(0, 0, 0, 0, null);
}
