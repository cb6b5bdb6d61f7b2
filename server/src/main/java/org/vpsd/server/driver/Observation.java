package org.vpsd.server.driver;

/**
 * One look at a machine ({@link Hypervisor#observe}): its state and, while it runs, what it uses
 * (null when it is not running, or when the driver could not read it).
 */
public record Observation(VmState state, UsageSample usage) {}
