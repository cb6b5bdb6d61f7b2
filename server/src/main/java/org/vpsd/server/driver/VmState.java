package org.vpsd.server.driver;

import java.time.Instant;

/**
 * What a driver sees of a machine. {@code bootCount} changes each time the guest boots again (a
 * reboot or reset); a driver that restarts may count from a new base, but never reports the same
 * value for two different boots within one process. {@code settlesAt}, when not null, is when a
 * transitional power state is expected to end: a hint for how long to wait before asking again.
 */
public record VmState(Power power, long bootCount, Instant settlesAt) {}
