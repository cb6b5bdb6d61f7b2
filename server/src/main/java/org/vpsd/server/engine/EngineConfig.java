package org.vpsd.server.engine;

import java.time.Duration;

/**
 * The engine's timing. {@code lease} bounds how long a dead replica's work waits before another
 * takes it over; the replica renews its leases every {@code heartbeat}. Graceful stops and reboots
 * that take longer than their timeout are forced; calls that fail are retried with exponential
 * backoff from {@code retryBase} up to {@code retryMax}, {@code maxAttempts} times in all.
 */
public record EngineConfig(
        String vmPrefix,
        Duration lease,
        Duration heartbeat,
        Duration poll,
        int maxInFlight,
        int claimBatch,
        int maxAttempts,
        Duration retryBase,
        Duration retryMax,
        Duration stopTimeout,
        Duration rebootTimeout,
        Duration startTimeout,
        Duration provisionTimeout,
        Duration deleteTimeout,
        Duration acpiRepeat,
        Duration usageInterval,
        Duration reconcileInterval,
        Duration billingInterval) {

    public static EngineConfig defaults() {
        return new EngineConfig("vpsd-", Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(500), 256, 64, 6,
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    /**
     * The least time a scaled start, provision or delete is given before it fails. The guest's times
     * scale; vpsd's own between two looks at a guest (its database, its scheduling, a busy machine) do
     * not: at the benchmark's scale of 1,000,000 a 30-minute provisioning became 1.8 ms, and a create
     * that waited a few milliseconds for a claim under load failed with "did not finish within 0
     * seconds". Forced stops and reboots keep their scaled timeouts (forcing early is no failure).
     */
    static final Duration SCALED_GIVE_UP_FLOOR = Duration.ofSeconds(5);

    /** The same configuration with the guest-facing timings divided by {@code scale} (the simulator's time scale). */
    public EngineConfig scaled(double scale) {
        return new EngineConfig(vmPrefix, lease, heartbeat, poll, maxInFlight, claimBatch, maxAttempts, div(retryBase, scale),
                div(retryMax, scale), div(stopTimeout, scale), div(rebootTimeout, scale), giveUp(startTimeout, scale),
                giveUp(provisionTimeout, scale), giveUp(deleteTimeout, scale), div(acpiRepeat, scale), usageInterval,
                reconcileInterval, billingInterval);
    }

    private static Duration giveUp(Duration d, double scale) {
        Duration scaled = div(d, scale);
        return scaled.compareTo(SCALED_GIVE_UP_FLOOR) < 0 ? Duration.ofNanos(Math.min(d.toNanos(), SCALED_GIVE_UP_FLOOR.toNanos())) : scaled;
    }

    public EngineConfig withLease(Duration newLease, Duration newHeartbeat) {
        return new EngineConfig(vmPrefix, newLease, newHeartbeat, poll, maxInFlight, claimBatch, maxAttempts, retryBase, retryMax,
                stopTimeout, rebootTimeout, startTimeout, provisionTimeout, deleteTimeout, acpiRepeat, usageInterval,
                reconcileInterval, billingInterval);
    }

    public EngineConfig withIntervals(Duration usage, Duration reconcile, Duration billing) {
        return new EngineConfig(vmPrefix, lease, heartbeat, poll, maxInFlight, claimBatch, maxAttempts, retryBase, retryMax,
                stopTimeout, rebootTimeout, startTimeout, provisionTimeout, deleteTimeout, acpiRepeat, usage, reconcile, billing);
    }

    private static Duration div(Duration d, double scale) {
        return Duration.ofNanos(Math.max(1_000_000L, (long) (d.toNanos() / scale)));
    }

    /** The wait before the {@code attempt}-th retry (1-based), with jitter. */
    public Duration backoff(int attempt) {
        long base = retryBase.toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, retryMax.toMillis());
        long jitter = (long) (capped * 0.2 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(1, capped + jitter));
    }
}
