package org.vpsd.server.driver;

import java.time.Instant;

/**
 * One sample of a machine's resource usage: CPU in percent of its vCPUs over the last interval
 * the driver can measure, memory used by the guest in MB, disk used in GB (null when the driver
 * cannot see inside the guest), and the bytes its network interfaces moved since the machine was
 * powered on (a counter that restarts from zero at each power-on).
 */
public record UsageSample(double cpuPercent, long memoryUsedMb, Long diskUsedGb, long allocatedDiskGb, long netBytes, Instant at) {}
