package org.vpsd.server.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.domain.Operation;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Suspensions;
import org.vpsd.server.domain.Transactor;
import org.vpsd.server.domain.WorkSignal;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.UsageSample;
import org.vpsd.server.driver.VmNotFoundException;
import org.vpsd.server.driver.VmRef;

/**
 * Drives every server to the resting status of its pending operation. The work lives in the
 * database ({@code server_tasks}), so it survives crashes and is shared by all replicas: each
 * replica claims due tasks under a lease, runs one step of each on a virtual thread, and commits
 * the step's outcome only if the task is still the same operation and still its own. A heartbeat
 * renews the leases of the steps it is running; a dead replica's leases expire and its tasks are
 * claimed by the others.
 */
public final class Engine implements WorkSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Transactor tx;
    private final Hypervisor hv;
    private final EngineConfig cfg;
    private final Clock clock;
    private final String replicaId;
    private final Machines machines;
    private final Map<Operation, OperationHandler> handlers = new EnumMap<>(Operation.class);
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService timers;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The servers whose steps this replica is running now: only their leases are renewed. */
    private final java.util.Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A step to run again at most this soon waits for it holding its claim (see {@link #advance}). */
    private static final Duration WAIT_IN_PLACE = Duration.ofMillis(20);
    /** ...and at most this many times in a row: then its progress is saved and the claim let go, as for longer waits. */
    private static final int MAX_WAITS_IN_PLACE = 20;
    /** Claims whose step failed for want of the database: let go of as soon as it is back. */
    private final java.util.Queue<java.util.Map.Entry<Long, String>> abandoned = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicLong claims = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeup = lock.newCondition();
    private final UsageCollector usage;
    private volatile boolean pending;
    private volatile boolean active;
    private Thread loop;
    private final Counter steps;
    private final Counter failures;
    private final Counter retries;
    private final Timer stepTimer;

    public Engine(Transactor tx, Hypervisor hv, Machines machines, EngineConfig cfg, Clock clock, String replicaId,
            MeterRegistry metrics, UsageCollector usage) {
        this.tx = tx;
        this.hv = hv;
        this.cfg = cfg;
        this.clock = clock;
        this.replicaId = replicaId;
        this.usage = usage;
        this.machines = machines;
        handlers.put(Operation.PROVISION, new ProvisionOp(machines));
        handlers.put(Operation.START, new StartOp());
        handlers.put(Operation.STOP, new StopOp());
        handlers.put(Operation.REBOOT, new RebootOp());
        handlers.put(Operation.DELETE, new DeleteOp());
        handlers.put(Operation.SUSPEND, new SuspendOp());
        this.timers = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("engine-timer").factory());
        this.steps = metrics.counter("vpsd.engine.steps");
        this.failures = metrics.counter("vpsd.engine.operations.failed");
        this.retries = metrics.counter("vpsd.engine.retries");
        this.stepTimer = metrics.timer("vpsd.engine.step.duration");
        metrics.gauge("vpsd.engine.in_flight", inFlight);
    }

    public String replicaId() {
        return replicaId;
    }

    public void start() {
        active = true;
        loop = Thread.ofPlatform().name("engine-claim").daemon().start(this::claimLoop);
        timers.scheduleWithFixedDelay(this::heartbeat, cfg.heartbeat().toMillis(), cfg.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Work was added: claim now rather than at the next poll. */
    @Override
    public void workAdded() {
        lock.lock();
        try {
            pending = true;
            wakeup.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Something happened to a server's machine: run its pending step now, if it has one. */
    public void nudge(long serverId) {
        try {
            tx.run(r -> r.tasks().runNow(serverId, clock.instant()));
        } catch (RuntimeException e) {
            LOG.debug("Could not nudge server {}: {}", serverId, e.toString());
        }
        workAdded();
    }

    private void claimLoop() {
        int failuresInRow = 0;
        while (active) {
            int claimed = 0;
            int room = cfg.maxInFlight() - inFlight.get();
            try {
                if (room > 0) {
                    claimed = claim(Math.min(room, cfg.claimBatch()));
                }
                failuresInRow = 0;
            } catch (RuntimeException e) {
                failuresInRow++;
                if (failuresInRow == 1 || failuresInRow % 20 == 0) {
                    LOG.warn("Could not claim work ({} time(s) in a row): {}", failuresInRow, e.toString());
                }
                sleep(Math.min(5_000, 100L * failuresInRow));
                continue;
            }
            if (claimed < cfg.claimBatch() || inFlight.get() >= cfg.maxInFlight()) {
                awaitWork(cfg.poll());
            }
        }
    }

    private int claim(int limit) {
        for (int n = abandoned.size(); n > 0; n--) {
            var claim = abandoned.poll();
            if (claim == null) {
                break;
            }
            try {
                tx.run(r -> r.tasks().release(claim.getKey(), claim.getValue()));
            } catch (RuntimeException e) {
                abandoned.add(claim);
                throw e;
            }
        }
        String owner = replicaId + "#" + claims.incrementAndGet();
        Instant now = clock.instant();
        List<Repositories.Task> tasks = tx.inTransaction(r -> r.tasks().claim(owner, now, now.plus(cfg.lease()), limit));
        Map<Long, Server> servers = serversOf(tasks);
        for (Repositories.Task t : tasks) {
            inFlight.incrementAndGet();
            running.add(t.serverId());
            Server server = servers.get(t.serverId());
            workers.execute(() -> {
                try {
                    run(t, owner, server);
                } catch (RuntimeException e) {
                    // Most likely the database went away mid-step: the claim is let go of when it is back (or its
                    // lease, no longer renewed, expires), and the step runs again, here or on another replica.
                    LOG.warn("Server {} {} step left for later: {}", t.serverId(), t.operation().wire(), e.toString());
                    abandoned.add(java.util.Map.entry(t.serverId(), owner));
                } finally {
                    running.remove(t.serverId());
                    inFlight.decrementAndGet();
                    workAdded();
                }
            });
        }
        return tasks.size();
    }

    /**
     * The servers of claimed tasks, read together after the claim (one read for the batch instead of one
     * per step); a server the read misses is read again by its step, which then sees whether it is gone.
     * A failed read leaves every step to read its own.
     */
    private Map<Long, Server> serversOf(List<Repositories.Task> tasks) {
        if (tasks.size() < 2) {
            return Map.of();
        }
        try {
            List<Long> ids = tasks.stream().map(Repositories.Task::serverId).toList();
            Map<Long, Server> out = new java.util.HashMap<>();
            tx.read(r -> r.servers().findAllPlannedEachTime(ids)).forEach(server -> out.put(server.id(), server));
            return out;
        } catch (RuntimeException e) {
            LOG.debug("Could not read the claimed servers together: {}", e.toString());
            return Map.of();
        }
    }

    private void awaitWork(Duration max) {
        lock.lock();
        try {
            if (!pending && active) {
                wakeup.await(max.toNanos(), TimeUnit.NANOSECONDS);
            }
            pending = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void heartbeat() {
        try {
            var ids = java.util.List.copyOf(running);
            int renewed = tx.inTransaction(r -> r.tasks().renew(replicaId + "#", ids, clock.instant().plus(cfg.lease())));
            LOG.trace("Heartbeat renewed {} lease(s)", renewed);
        } catch (RuntimeException e) {
            LOG.warn("Heartbeat failed: {}", e.toString());
        }
    }

    /** A step to run at once, and the server as the step before left it (null: read it). */
    private record Then(Repositories.Task task, Server server) {}

    /**
     * Runs steps of one task for as long as they follow each other at once, then commits and lets go.
     * {@code server} is the task's server as read after the claim, or null (the first step reads it).
     */
    private void run(Repositories.Task claimed, String owner, Server server) {
        Then then = new Then(claimed, server);
        int waitsInPlace = 0;
        while (then != null && active) {
            Then next = runStep(then, owner, waitsInPlace < MAX_WAITS_IN_PLACE);
            waitsInPlace = next != null && next.task() == then.task() ? waitsInPlace + 1 : 0;
            then = next;
        }
        if (then != null) {
            release(claimed.serverId(), owner);
        }
    }

    /** One step; returns the step to run next at once, or null when the task was committed or let go. */
    private Then runStep(Then then, String owner, boolean mayWaitInPlace) {
        Repositories.Task task = then.task();
        // The server and its machine's reference in one read, unless the step before left the server as it knows.
        Optional<VmRef> known = then.server() == null ? Optional.empty() : machines.refWithoutRead(then.server());
        Optional<Map.Entry<Server, VmRef>> found = known.isPresent() ? Optional.of(Map.entry(then.server(), known.get()))
                : tx.read(r -> r.servers().find(task.serverId()).map(server -> Map.entry(server, machines.ref(r, server))));
        if (found.isEmpty()) {
            tx.run(r -> r.tasks().finish(task.serverId(), task.generation(), owner));
            return null;
        }
        Server server = found.get().getKey();
        StepResult result;
        long started = System.nanoTime();
        try {
            VmRef vm = found.get().getValue();
            result = handlers.get(task.operation()).step(new Step(task, server, vm, hv, tx, cfg, clock));
        } catch (StepFailure e) {
            result = new StepResult.Failed(e.getMessage());
        } catch (RuntimeException e) {
            return retry(task, owner, e);
        } finally {
            stepTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            steps.increment();
        }
        return switch (result) {
            case StepResult.Next next -> advance(task, owner, next, mayWaitInPlace);
            case StepResult.Done done -> {
                finish(task, owner, server, found.get().getValue(), done);
                yield null;
            }
            case StepResult.Failed failed -> {
                fail(task, owner, failed.reason());
                yield null;
            }
        };
    }

    private Then advance(Repositories.Task task, String owner, StepResult.Next next, boolean mayWaitInPlace) {
        if (mayWaitInPlace && next.writes() == null && next.delay().compareTo(WAIT_IN_PLACE) <= 0 && next.step() == task.step()
                && task.attempts() == 0 && Objects.equals(next.state(), task.state()) && Objects.equals(next.deadline(), task.deadline())) {
            // The same step again within milliseconds (a machine that settles that soon: the simulator at a fast
            // time scale), nothing to save: the claim is kept and the step rerun here, instead of saving the same
            // progress and claiming the task again. The saved progress is the same, so a crash meanwhile loses nothing.
            sleep(Math.max(1, next.delay().toMillis()));
            return new Then(task, null);
        }
        Instant runAt = clock.instant().plus(next.delay());
        boolean immediate = next.delay().isZero() && next.step() != task.step();
        Server[] written = {null};
        String[] state = {next.state()};
        boolean saved = false;
        Optional<Server> atOnce;
        try {
            atOnce = atOnce(task, owner, next, runAt, immediate);
        } catch (StepFailure e) {
            fail(task, owner, e.getMessage());
            return null;
        } catch (RuntimeException e) {
            return retry(task, owner, e);
        }
        if (atOnce.isPresent()) {
            written[0] = atOnce.get();
            state[0] = next.stateToSave(); // for the next step only: what was saved is the state before the writes
            saved = true;
        } else {
            try {
                saved = tx.inTransaction(r -> {
                    // The step's writes first (they lock the server's row, as every other writer does before
                    // the task's), and undone with the transaction if the task is no longer this claim's.
                    written[0] = next.writes() == null ? null : next.writes().apply(r);
                    state[0] = next.stateToSave();
                    var progress = new Repositories.Progress(next.step(), runAt, next.deadline(), state[0], 0, null);
                    if (!r.tasks().advance(task.serverId(), task.generation(), owner, progress, immediate)) {
                        throw new Superseded();
                    }
                    return true;
                });
            } catch (Superseded e) {
                saved = false;
            } catch (StepFailure e) {
                fail(task, owner, e.getMessage());
                return null;
            } catch (RuntimeException e) {
                if (next.writes() == null) {
                    throw e;
                }
                // The step's own writes failed: as when a step fails, tried again later, up to its attempts.
                return retry(task, owner, e);
            }
        }
        if (!saved) {
            release(task.serverId(), owner);
            return null;
        }
        if (immediate) {
            return new Then(new Repositories.Task(task.serverId(), task.operation(), next.step(), task.generation(), 0, runAt,
                    next.deadline(), state[0], null), written[0]);
        }
        wakeAt(next.delay());
        return null;
    }

    /**
     * The step's writes and its progress in one statement that commits by itself ({@link StepResult.Next#atOnce}),
     * where the step offers that and the store can; empty otherwise, and then nothing was changed.
     */
    private Optional<Server> atOnce(Repositories.Task task, String owner, StepResult.Next next, Instant runAt, boolean keepLease) {
        if (next.atOnce() == null) {
            return Optional.empty();
        }
        var progress = new Repositories.Progress(next.step(), runAt, next.deadline(), next.state(), 0, null);
        var advance = new Repositories.Advance(task.serverId(), task.generation(), owner, progress, keepLease);
        return tx.atOnce(r -> next.atOnce().apply(r, advance));
    }

    /** The task was taken over while its step ran (a newer operation, or another claim): its progress is not saved. */
    private static final class Superseded extends RuntimeException {
        Superseded() {
            super(null, null, false, false);
        }
    }

    private Then retry(Repositories.Task task, String owner, RuntimeException e) {
        int attempts = task.attempts() + 1;
        String message = e instanceof VmNotFoundException || e.getMessage() == null ? e.toString() : e.getMessage();
        if (attempts >= cfg.maxAttempts()) {
            fail(task, owner, "Gave up after " + attempts + " failed attempts: " + message);
            return null;
        }
        retries.increment();
        Duration wait = cfg.backoff(attempts);
        LOG.info("Server {} {} step {} failed (attempt {}), retrying in {} ms: {}", task.serverId(), task.operation().wire(),
                task.step(), attempts, wait.toMillis(), message);
        Instant now = clock.instant();
        boolean saved = tx.inTransaction(r -> {
            boolean ok = r.tasks().advance(task.serverId(), task.generation(), owner, new Repositories.Progress(task.step(),
                    now.plus(wait), task.deadline(), task.state(), attempts, message), false);
            if (ok) {
                r.events().append(task.serverId(), "retry", task.operation().wire() + " failed (attempt " + attempts + "): " + message
                        + "; retrying in " + Math.max(1, wait.toSeconds()) + " s.", now);
            }
            return ok;
        });
        if (!saved) {
            release(task.serverId(), owner);
        } else {
            wakeAt(wait);
        }
        return null;
    }

    private void finish(Repositories.Task task, String owner, Server server, VmRef vm, StepResult.Done done) {
        Instant now = clock.instant();
        Operation op = task.operation();
        String note = done.note();
        Optional<UsageSample> firstUsage = usage == null || op.done() != Status.ACTIVE ? Optional.empty()
                : done.usage() != null ? Optional.of(done.usage()) : usage.sampleBeforeActive(server.id(), vm);
        Repositories.UsageRecord first = firstUsage.map(sample -> usage.firstRecord(sample)).orElse(null);
        Status free = Suspensions.settle(op, false);
        Status held = Suspensions.settle(op, true);
        var settlement = new Repositories.Settlement(server.id(), task.generation(), owner, server.accountId(),
                free, detail(free), held, detail(held), op == Operation.PROVISION, first, note, now);
        // In one round trip that commits by itself where it can: it needs nothing more in its transaction unless
        // the account is suspended (rare) or the server has a usage record already (likely unless it is new).
        Optional<Repositories.Settled> atOnce = op == Operation.DELETE || (first != null && op != Operation.PROVISION) ? Optional.empty()
                : tx.atOnce(r -> r.tasks().finishSettlingAtOnce(settlement, op != Operation.SUSPEND));
        Status reached = atOnce.isPresent() ? settlement.status(atOnce.get().suspended()) : tx.inTransaction(r -> {
            // The server's row first, then the account as committed: a suspension locks every server of the
            // account before it commits, so either it waits for this transaction and then sees the server's
            // new status, or this one waits for it and then reads the account suspended. The account's row
            // itself is not locked: all of an account's servers finishing at once do not queue on it.
            if (op == Operation.DELETE) {
                r.servers().lock(server.id());
                return r.tasks().finishSeeingSuspension(server.id(), task.generation(), owner, server.accountId())
                        .map(suspended -> deleted(r, server, note, now)).orElse(null);
            }
            Optional<Repositories.Settled> settled = r.tasks().finishSettling(settlement); // the server's row locked first
            if (settled.isEmpty()) {
                return null;
            }
            Status to = settlement.status(settled.get().suspended());
            if (to == Status.ACTIVE && first != null && !settled.get().usageWritten()) {
                usage.save(r, server.id(), firstUsage.get());
            }
            if (to == Status.SUSPENDED && op != Operation.SUSPEND) {
                r.tasks().insert(server.id(), Operation.SUSPEND, now, now);
            }
            return to;
        });
        if (reached == null) {
            release(server.id(), owner);
            return;
        }
        LOG.debug("Server {} {} done: {}", server.id(), op.wire(), reached.wire());
        if (reached == Status.SUSPENDED && op != Operation.SUSPEND) {
            workAdded();
        }
    }

    private static String detail(Status to) {
        return to == Status.SUSPENDED ? Suspensions.REASON : null;
    }

    /** The server of a finished delete: its addresses, capacity and usage let go of, and the tombstone. */
    private static Status deleted(Repositories r, Server server, String note, Instant now) {
        r.addresses().releaseAll(server.id(), now);
        if (server.hostId() != null) {
            r.catalog().releaseCapacity(server.hostId(), server.plan().vcpus(), server.plan().memoryMb());
        }
        r.usage().clear(server.id());
        r.servers().tombstone(server.id(), now);
        r.events().append(server.id(), Status.DELETED.wire(), note, now);
        return Status.DELETED;
    }

    private void fail(Repositories.Task task, String owner, String reason) {
        failures.increment();
        Instant now = clock.instant();
        boolean done = tx.inTransaction(r -> {
            r.servers().lock(task.serverId());
            if (!r.tasks().finish(task.serverId(), task.generation(), owner)) {
                return false;
            }
            r.servers().setStatus(task.serverId(), Status.ERROR, reason, now);
            r.events().append(task.serverId(), "error", task.operation().wire() + " failed: " + reason, now);
            return true;
        });
        if (done) {
            LOG.warn("Server {} {} failed: {}", task.serverId(), task.operation().wire(), reason);
        } else {
            release(task.serverId(), owner);
        }
    }

    private void release(long serverId, String owner) {
        try {
            tx.run(r -> r.tasks().release(serverId, owner));
        } catch (RuntimeException e) {
            LOG.debug("Could not release server {}: {}", serverId, e.toString());
        }
        workAdded();
    }

    private void wakeAt(Duration delay) {
        if (delay.compareTo(cfg.poll()) < 0 && active) {
            try {
                timers.schedule(this::workAdded, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Stops claiming, lets running steps finish for a while, then lets go of every lease this replica holds. */
    @Override
    public void close() {
        active = false;
        workAdded();
        if (loop != null) {
            try {
                loop.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        try {
            tx.run(r -> r.tasks().releaseAll(replicaId + "#"));
        } catch (RuntimeException e) {
            LOG.debug("Could not release leases on shutdown: {}", e.toString());
        }
    }
}
