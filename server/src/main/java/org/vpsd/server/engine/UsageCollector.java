package org.vpsd.server.engine;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Transactor;
import org.vpsd.server.domain.Usage;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.UsageSample;
import org.vpsd.server.driver.VmRef;

/**
 * Samples what running servers use and keeps the last figures for the API: CPU and memory as the
 * driver reports them, disk from the guest or else the disk's allocation, and bandwidth as the
 * bytes counted since the start of the calendar month (UTC), from the network counters' growth
 * between samples (a counter that went down restarted at a power-on).
 */
public final class UsageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(UsageCollector.class);
    private static final int BATCH = 500;
    private static final long BYTES_PER_GB = 1_000_000_000L;

    private final Transactor tx;
    private final Hypervisor hv;
    private final Machines machines;
    private final Clock clock;
    private final Semaphore parallel = new Semaphore(32);

    public UsageCollector(Transactor tx, Hypervisor hv, Machines machines, Clock clock) {
        this.tx = tx;
        this.hv = hv;
        this.machines = machines;
        this.clock = clock;
    }

    /** Samples every active server once. Returns how many were sampled. */
    public int collectAll() {
        int sampled = 0;
        long after = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            while (true) {
                long from = after;
                List<Server> batch = tx.read(r -> r.servers().restingIn(List.of(Status.ACTIVE), from, BATCH));
                if (batch.isEmpty()) {
                    return sampled;
                }
                List<Future<Optional<Sampled>>> futures = new ArrayList<>();
                for (Server s : batch) {
                    futures.add(pool.submit(() -> sample(s)));
                }
                List<Sampled> samples = new ArrayList<>();
                for (Future<Optional<Sampled>> f : futures) {
                    try {
                        f.get().ifPresent(samples::add);
                    } catch (Exception e) {
                        LOG.debug("Usage sample failed: {}", e.toString());
                    }
                }
                tx.run(r -> samples.forEach(x -> save(r, x)));
                sampled += samples.size();
                after = batch.get(batch.size() - 1).id();
            }
        }
    }

    /**
     * Samples one server that is about to become active, so that the transaction making it active
     * can store its first figures with it (a client never sees an active server with no usage).
     */
    public Optional<UsageSample> sampleBeforeActive(long serverId, VmRef vm) {
        return usageOf(serverId, vm);
    }

    /** A sample taken by {@link #sampleBeforeActive} as a server's first record, to be stored with its new status. */
    public Repositories.UsageRecord firstRecord(UsageSample sample) {
        return next(Optional.empty(), sample, clock.instant());
    }

    /** Stores a sample inside the caller's transaction, after the record the server has (if any). */
    public void save(Repositories r, long serverId, UsageSample sample) {
        r.usage().save(serverId, next(r.usage().find(serverId), sample, clock.instant()));
    }

    private record Sampled(Server server, UsageSample sample) {}

    private Optional<Sampled> sample(Server s) {
        VmRef ref;
        try {
            ref = tx.read(r -> machines.ref(r, s));
        } catch (RuntimeException e) {
            LOG.debug("No usage for server {}: {}", s.id(), e.toString());
            return Optional.empty();
        }
        return usageOf(s.id(), ref).map(u -> new Sampled(s, u));
    }

    /** The machine's usage from the driver, at most {@code parallel} calls at once; empty if the call failed. */
    private Optional<UsageSample> usageOf(long serverId, VmRef vm) {
        parallel.acquireUninterruptibly();
        try {
            return Optional.of(hv.usage(vm));
        } catch (RuntimeException e) {
            LOG.debug("No usage for server {}: {}", serverId, e.toString());
            return Optional.empty();
        } finally {
            parallel.release();
        }
    }

    private void save(Repositories r, Sampled x) {
        save(r, x.server().id(), x.sample());
    }

    /** The figures after a new sample, given the previous record. */
    static Repositories.UsageRecord next(Optional<Repositories.UsageRecord> previous, UsageSample s, Instant now) {
        String month = YearMonth.from(now.atZone(ZoneOffset.UTC)).toString();
        long lastCounter = previous.map(Repositories.UsageRecord::netBytes).orElse(0L);
        long moved = s.netBytes() >= lastCounter ? s.netBytes() - lastCounter : s.netBytes();
        long monthBytes = previous.filter(p -> p.month().equals(month)).map(Repositories.UsageRecord::monthBytes).orElse(0L) + moved;
        long disk = s.diskUsedGb() != null ? s.diskUsedGb() : s.allocatedDiskGb();
        Usage usage = new Usage(Math.round(s.cpuPercent() * 10) / 10.0, s.memoryUsedMb(), disk, monthBytes / BYTES_PER_GB, now);
        return new Repositories.UsageRecord(usage, s.netBytes(), month, monthBytes);
    }
}
