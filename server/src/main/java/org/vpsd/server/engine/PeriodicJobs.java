package org.vpsd.server.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.domain.Transactor;

/**
 * Work done every so often by exactly one replica at a time: each run first takes the job's named
 * lease in the database; the replica that holds it runs the job, the others skip that round. A
 * replica that dies holding a lease loses it when it expires.
 */
public final class PeriodicJobs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicJobs.class);

    private final Transactor tx;
    private final Clock clock;
    private final String owner;
    private final ScheduledExecutorService timer =
            Executors.newScheduledThreadPool(3, Thread.ofVirtual().name("periodic-", 0).factory());

    public PeriodicJobs(Transactor tx, Clock clock, String owner) {
        this.tx = tx;
        this.clock = clock;
        this.owner = owner;
    }

    /** Runs {@code job} every {@code interval} under the lease {@code name}; a zero interval disables it. */
    public void schedule(String name, Duration interval, Duration lease, IntSupplier job) {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        timer.scheduleWithFixedDelay(() -> runOnce(name, lease, job), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Runs the job now if this replica can take its lease; returns what the job returned, or -1 if skipped. */
    public int runOnce(String name, Duration lease, IntSupplier job) {
        try {
            Instant now = clock.instant();
            boolean mine = tx.inTransaction(r -> r.leases().acquire(name, owner, now, now.plus(lease)));
            if (!mine) {
                return -1;
            }
            return job.getAsInt();
        } catch (RuntimeException e) {
            LOG.warn("Periodic job {} failed: {}", name, e.toString());
            return -1;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
