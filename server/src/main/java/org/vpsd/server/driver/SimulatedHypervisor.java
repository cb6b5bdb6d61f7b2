package org.vpsd.server.driver;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.vpsd.server.store.SimStore;
import org.vpsd.server.store.SimStore.SimVm;

/**
 * A hypervisor that runs no machines but behaves like one that does, for development and for
 * anyone testing an API client against a local vpsd. Like OpenStack's {@code FakeDriver}, it
 * documents the semantics of real hypervisors:
 *
 * <ul>
 *   <li>Things take time. A first boot takes 2 to 5 minutes, a start 5 to 15 seconds, a graceful
 *       shutdown 5 to 20, a reboot 10 to 30, a reset 5 to 10, a deletion 2 to 5; cutting the power
 *       is immediate. {@code timeScale} divides all of these ({@code --sim-time-scale}).
 *   <li>A graceful request can be lost: the guest ignores the power button while it is still
 *       booting, and always if the provider sets the guest to ignore ACPI
 *       ({@link #setIgnoreAcpi}), so that vpsd's forced fallback can be seen at work.
 *   <li>Calls fail when told to: per operation, "the next N calls fail" and a failure rate
 *       ({@link #setFault}), like CloudStack's simulator.
 *   <li>Machines outlive vpsd: they are kept in the database, shared by every replica, so a
 *       restarted vpsd finds them as it would find real ones.
 *   <li>A guest can power itself off or crash ({@link #guestPowerOff}, {@link #crash}); the
 *       driver tells its listeners, as libvirt's lifecycle events do.
 * </ul>
 *
 * Usage is plausible and consistent: CPU and memory are zero while off; memory stays within the
 * plan; disk grows slowly with running time and never past the plan's storage; the network
 * counter grows while the machine runs and restarts at each power-on.
 */
public final class SimulatedHypervisor implements Hypervisor {
    /** The operations faults can be injected into, as the admin API names them. */
    public static final List<String> OPERATIONS =
            List.of("create", "start", "shutdown", "power_off", "reboot", "reset", "delete", "state", "usage");

    static final String BUILDING = "building";
    static final String STARTING = "starting";
    static final String RUNNING = "running";
    static final String SHUTTING_DOWN = "shutting_down";
    static final String REBOOTING = "rebooting";
    static final String SHUTOFF = "shutoff";
    static final String CRASHED = "crashed";
    static final String DELETING = "deleting";
    private static final String IGNORE_ACPI = "sim.ignore_acpi";

    private final SimStore store;
    private final Clock clock;
    private final double timeScale;
    private final List<VmListener> listeners = new CopyOnWriteArrayList<>();

    public SimulatedHypervisor(SimStore store, Clock clock, double timeScale) {
        if (!(timeScale > 0)) {
            throw new IllegalArgumentException("time scale must be positive: " + timeScale);
        }
        this.store = store;
        this.clock = clock;
        this.timeScale = timeScale;
    }

    @Override
    public String name() {
        return "simulated";
    }

    private Instant after(int minSeconds, int maxSeconds) {
        double seconds = ThreadLocalRandom.current().nextDouble(minSeconds, maxSeconds);
        return clock.instant().plusNanos((long) (seconds * 1e9 / timeScale));
    }

    /**
     * Runs one operation in one transaction, unless the provider injected a fault for it: then the
     * call fails and the operation changes nothing, but the failure it used up stays used up (the
     * transaction commits without the operation's work, and the exception is thrown after it).
     */
    private <T> T faultable(String operation, Function<SimStore.Tx, T> work) {
        String[] failure = {null};
        T result = store.inTransaction(tx -> {
            failure[0] = failure(tx, operation);
            return failure[0] == null ? work.apply(tx) : null;
        });
        if (failure[0] != null) {
            throw new HypervisorException(failure[0]);
        }
        return result;
    }

    /** The injected failure this call of {@code operation} meets, if any (one failure of "fail next N" used up). */
    private static String failure(SimStore.Tx tx, String operation) {
        Optional<SimStore.Fault> fault = tx.fault(operation);
        if (fault.isEmpty()) {
            return null;
        }
        SimStore.Fault f = fault.get();
        boolean fail = (f.failNext() > 0 && tx.takeFailure(operation))
                || (f.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < f.failureRate());
        return fail ? (f.message() != null ? f.message() : "Simulated failure of " + operation) : null;
    }

    /** The machine as it is now: a phase whose time has come is replaced by the one it leads to. */
    SimVm settle(SimVm vm, Instant now) {
        if (vm.phaseUntil() == null || vm.phaseUntil().isAfter(now)) {
            return vm;
        }
        Instant at = vm.phaseUntil();
        return switch (vm.phase()) {
            case BUILDING, STARTING -> new SimVm(vm.name(), vm.host(), vm.vcpus(), vm.memoryMb(), vm.storageGb(), RUNNING, null,
                    vm.bootCount() + 1, at, vm.runMillis(), vm.createdAt());
            case REBOOTING -> new SimVm(vm.name(), vm.host(), vm.vcpus(), vm.memoryMb(), vm.storageGb(), RUNNING, null,
                    vm.bootCount() + 1, vm.runningSince() != null ? vm.runningSince() : at, vm.runMillis(), vm.createdAt());
            case SHUTTING_DOWN -> stopped(vm, at, SHUTOFF);
            default -> vm;
        };
    }

    private static SimVm stopped(SimVm vm, Instant at, String phase) {
        long ran = vm.runningSince() == null ? 0 : Math.max(0, Duration.between(vm.runningSince(), at).toMillis());
        return new SimVm(vm.name(), vm.host(), vm.vcpus(), vm.memoryMb(), vm.storageGb(), phase, null, vm.bootCount(), null,
                vm.runMillis() + ran, vm.createdAt());
    }

    private static boolean gone(SimVm vm, Instant now) {
        return DELETING.equals(vm.phase()) && (vm.phaseUntil() == null || !vm.phaseUntil().isAfter(now));
    }

    /** Runs one operation on one locked machine. */
    private <T> T onVm(VmRef ref, String operation, Mutation<T> mutation) {
        return faultable(operation, tx -> {
            Instant now = clock.instant();
            SimVm vm = tx.lock(ref.name()).map(v -> settle(v, now)).orElse(null);
            // A machine being deleted is gone for every purpose but state(): nothing brings it back.
            if (vm == null || DELETING.equals(vm.phase())) {
                throw new VmNotFoundException(ref.name());
            }
            Result<T> result = mutation.apply(vm, now, tx);
            if (result.vm() != vm) {
                tx.update(result.vm());
            }
            return result.value();
        });
    }

    private interface Mutation<T> {
        Result<T> apply(SimVm vm, Instant now, SimStore.Tx tx);
    }

    private record Result<T>(SimVm vm, T value) {}

    private static <T> Result<T> keep(SimVm vm) {
        return new Result<>(vm, null);
    }

    private static <T> Result<T> become(SimVm vm) {
        return new Result<>(vm, null);
    }

    @Override
    public void create(VmSpec spec) {
        // Usually there is no machine of that name and no fault to meet: one statement does it.
        if (store.insertUnlessFaulted(building(spec, clock.instant()), "create")) {
            return;
        }
        faultable("create", tx -> {
            Instant now = clock.instant();
            Optional<SimVm> existing = tx.lock(spec.name());
            if (existing.isPresent() && !DELETING.equals(settle(existing.get(), now).phase())) {
                return null;
            }
            existing.ifPresent(v -> tx.delete(v.name()));
            tx.insert(building(spec, now));
            return null;
        });
    }

    /** A new machine, building for its first boot. */
    private SimVm building(VmSpec spec, Instant now) {
        return new SimVm(spec.name(), spec.hostUri(), spec.vcpus(), spec.memoryMb(), spec.storageGb(), BUILDING,
                after(120, 300), 0, null, 0, now);
    }

    @Override
    public void start(VmRef vm) {
        onVm(vm, "start", (v, now, tx) -> switch (v.phase()) {
            case SHUTOFF, CRASHED -> become(new SimVm(v.name(), v.host(), v.vcpus(), v.memoryMb(), v.storageGb(), STARTING,
                    after(5, 15), v.bootCount(), null, v.runMillis(), v.createdAt()));
            case SHUTTING_DOWN -> throw new HypervisorException("Machine " + v.name() + " is shutting down");
            default -> keep(v);
        });
    }

    private boolean ignoresAcpi(SimStore.Tx tx, SimVm v) {
        return BUILDING.equals(v.phase()) || STARTING.equals(v.phase()) || REBOOTING.equals(v.phase())
                || tx.setting(IGNORE_ACPI).map(Boolean::parseBoolean).orElse(false);
    }

    @Override
    public void shutdown(VmRef vm) {
        onVm(vm, "shutdown", (v, now, tx) -> {
            if (!v.phase().equals(RUNNING) || ignoresAcpi(tx, v)) {
                return keep(v);
            }
            return become(v.withPhase(SHUTTING_DOWN, after(5, 20)));
        });
    }

    @Override
    public void powerOff(VmRef vm) {
        onVm(vm, "power_off", (v, now, tx) -> v.phase().equals(SHUTOFF) ? keep(v) : become(stopped(v, now, SHUTOFF)));
    }

    @Override
    public void reboot(VmRef vm) {
        onVm(vm, "reboot", (v, now, tx) -> {
            if (!power(v.phase()).on()) {
                throw new HypervisorException("Machine " + v.name() + " is not running");
            }
            if (!v.phase().equals(RUNNING) || ignoresAcpi(tx, v)) {
                return keep(v);
            }
            return become(v.withPhase(REBOOTING, after(10, 30)));
        });
    }

    @Override
    public void reset(VmRef vm) {
        onVm(vm, "reset", (v, now, tx) -> {
            if (!power(v.phase()).on()) {
                throw new HypervisorException("Machine " + v.name() + " is not running");
            }
            return become(v.withPhase(REBOOTING, after(5, 10)));
        });
    }

    @Override
    public void delete(VmRef vm) {
        faultable("delete", tx -> {
            Instant now = clock.instant();
            tx.lock(vm.name()).map(v -> settle(v, now)).ifPresent(v -> {
                if (gone(v, now)) {
                    tx.delete(v.name());
                } else if (!DELETING.equals(v.phase())) {
                    tx.update(stopped(v, now, DELETING).withPhase(DELETING, after(2, 5)));
                }
            });
            return null;
        });
    }

    @Override
    public Optional<VmState> state(VmRef vm) {
        // Most calls change nothing: one read, without a transaction. A fault set for the call, or a machine
        // whose deletion has come due (its row goes), take the transactional way.
        SimStore.Peek peek = store.read(tx -> tx.peek(vm.name(), "state"));
        if (!peek.faultSet()) {
            Instant now = clock.instant();
            Optional<SimVm> v = peek.vm().map(x -> settle(x, now));
            if (v.isEmpty() || !gone(v.get(), now)) {
                return v.map(SimulatedHypervisor::observed);
            }
        }
        return faultable("state", tx -> {
            Instant now = clock.instant();
            Optional<SimVm> row = tx.get(vm.name());
            if (row.isEmpty()) {
                return Optional.empty();
            }
            SimVm v = settle(row.get(), now);
            if (gone(v, now)) {
                tx.delete(v.name());
                return Optional.empty();
            }
            return Optional.of(observed(v));
        });
    }

    /** State and usage from one read of the machine's row, when no fault is set for either call. */
    @Override
    public Optional<Observation> observe(VmRef vm) {
        SimStore.Peek peek = store.read(tx -> tx.peek(vm.name(), "state", "usage"));
        if (!peek.faultSet()) {
            Instant now = clock.instant();
            Optional<SimVm> v = peek.vm().map(x -> settle(x, now));
            if (v.isEmpty()) {
                return Optional.empty();
            }
            if (!gone(v.get(), now)) {
                VmState state = observed(v.get());
                return Optional.of(new Observation(state, state.power() == Power.RUNNING ? SimulatedUsage.sample(v.get(), now) : null));
            }
        }
        return Hypervisor.super.observe(vm);
    }

    private static VmState observed(SimVm v) {
        return new VmState(power(v.phase()), v.bootCount(), v.phaseUntil());
    }

    static Power power(String phase) {
        return switch (phase) {
            case BUILDING -> Power.BUILDING;
            case STARTING -> Power.STARTING;
            case RUNNING -> Power.RUNNING;
            case SHUTTING_DOWN, DELETING -> Power.SHUTTING_DOWN;
            case REBOOTING -> Power.REBOOTING;
            case CRASHED -> Power.CRASHED;
            default -> Power.SHUTOFF;
        };
    }

    @Override
    public UsageSample usage(VmRef vm) {
        SimStore.Peek peek = store.read(tx -> tx.peek(vm.name(), "usage"));
        if (!peek.faultSet()) {
            return sample(peek.vm(), vm);
        }
        return faultable("usage", tx -> sample(tx.get(vm.name()), vm));
    }

    private UsageSample sample(Optional<SimVm> row, VmRef vm) {
        Instant now = clock.instant();
        SimVm v = row.map(x -> settle(x, now)).filter(x -> !gone(x, now)).orElseThrow(() -> new VmNotFoundException(vm.name()));
        return SimulatedUsage.sample(v, now);
    }

    @Override
    public List<String> list(String hostUri) {
        return states(hostUri).keySet().stream().sorted().toList();
    }

    @Override
    public java.util.Map<String, VmState> states(String hostUri) {
        return store.inTransaction(tx -> {
            Instant now = clock.instant();
            java.util.Map<String, VmState> out = new java.util.HashMap<>();
            for (SimVm vm : tx.onHost(hostUri)) {
                SimVm v = settle(vm, now);
                if (!gone(v, now)) {
                    out.put(v.name(), new VmState(power(v.phase()), v.bootCount(), v.phaseUntil()));
                }
            }
            return out;
        });
    }

    /** Simulated machines need no hosts: each location is one simulated host, {@code sim:CODE}. */
    @Override
    public String defaultHostUri(String locationCode) {
        return "sim:" + locationCode;
    }

    @Override
    public void onChange(VmListener listener) {
        listeners.add(listener);
    }

    /** The guest shuts itself down (as {@code poweroff} inside it would); listeners are told if it was on. */
    public void guestPowerOff(String name) {
        boolean changed = onVm(new VmRef(name, null), "guest", (v, now, tx) -> power(v.phase()).on()
                ? new Result<>(stopped(v, now, SHUTOFF), true) : new Result<>(v, false));
        if (changed) {
            listeners.forEach(l -> l.changed(name));
        }
    }

    /** The guest crashes (a machine that is off cannot); listeners are told. */
    public void crash(String name) {
        boolean changed = onVm(new VmRef(name, null), "guest", (v, now, tx) -> power(v.phase()).on()
                ? new Result<>(stopped(v, now, CRASHED), true) : new Result<>(v, false));
        if (changed) {
            listeners.forEach(l -> l.changed(name));
        }
    }

    /** Makes every guest ignore (or heed again) graceful shutdown and reboot requests. */
    public void setIgnoreAcpi(boolean ignore) {
        store.inTransaction(tx -> {
            tx.putSetting(IGNORE_ACPI, Boolean.toString(ignore));
            return null;
        });
    }

    public boolean ignoresAcpi() {
        return store.inTransaction(tx -> tx.setting(IGNORE_ACPI).map(Boolean::parseBoolean).orElse(false));
    }

    /** Sets the faults of one operation: the next {@code failNext} calls fail, then each fails with {@code failureRate}. */
    public void setFault(String operation, int failNext, double failureRate, String message) {
        String op = operation.toLowerCase(Locale.ROOT);
        if (!OPERATIONS.contains(op)) {
            throw new IllegalArgumentException("Unknown operation " + operation + "; one of " + OPERATIONS);
        }
        store.inTransaction(tx -> {
            tx.putFault(new SimStore.Fault(op, failNext, failureRate, message));
            return null;
        });
    }

    public List<SimStore.Fault> faults() {
        return store.inTransaction(SimStore.Tx::faults);
    }

    /** Removes every injected fault and makes guests heed ACPI again. */
    public void clearFaults() {
        store.inTransaction(tx -> {
            tx.clearFaults();
            tx.putSetting(IGNORE_ACPI, "false");
            return null;
        });
    }
}
