package org.vpsd.client.wire;

/**
 * What a server uses: CPU in percent of its vCPUs, memory in MB, disk in GB, bandwidth in GB
 * this billing month.
 */
public record ResourceUsage(double cpuPercent, long memoryUsed, long diskUsed, long bandwidthUsed) {
    public static final ResourceUsage NONE = new ResourceUsage(0, 0, 0, 0);
}
