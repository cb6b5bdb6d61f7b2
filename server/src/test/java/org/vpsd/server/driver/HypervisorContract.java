package org.vpsd.server.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one test suite every {@link Hypervisor} runs, as Nova's ComputeDriver tests and CloudStack's
 * simulator are run: what vpsd's engine relies on, checked through the public interface only.
 *
 * <p>A subclass supplies the driver ({@link #openHypervisor}, closed by {@link #closeHypervisor}
 * after each test's machines are cleaned up), a {@link VmSpec} for a machine name ({@link #spec})
 * and how long a power transition may take ({@link #transitionTimeout}). The same suite runs
 * against the simulator in milliseconds and against real QEMU guests in minutes, so it never
 * sleeps for a fixed time and never assumes how fast anything is: it polls {@link Hypervisor#state}
 * until what it waits for is seen or a timeout passes. Every timeout is multiplied by the system
 * property {@code vpsd.contract.timeout-factor} (default 1) for slow hosts.
 *
 * <p>Each test is independent: it creates machines with unique names, and deletes them (and waits
 * until they are gone) after it ends, whether it passed or not.
 */
public abstract class HypervisorContract {

    /** Distinguishes this run's machines from any other run's on a shared host. */
    private static final String RUN = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Hypervisor hypervisor;
    private String testName = "test";
    private final Set<VmRef> created = ConcurrentHashMap.newKeySet();

    // ----------------------------------------------------------------------------------------
    // What a driver's test supplies.

    /** The driver under test; called before each test. */
    protected abstract Hypervisor openHypervisor() throws Exception;

    /** Releases the driver (and whatever the subclass opened for it) after each test. */
    protected void closeHypervisor(Hypervisor hypervisor) throws Exception {
        hypervisor.close();
    }

    /**
     * A buildable machine called {@code name}: host URI, image, a small plan. Memory must be at
     * least a few MB and storage at least 1 GB; all machines of one test use the same host.
     */
    protected abstract VmSpec spec(String name);

    /**
     * The longest a requested power transition may take on this driver: a first boot, a start, a
     * graceful shutdown (including the time a booting guest takes to start hearing the power
     * button), a reboot, a deletion. Generous: tests only wait this long when something is wrong.
     */
    protected abstract Duration transitionTimeout();

    /** The longest a first boot may take; the transition timeout unless overridden. */
    protected Duration buildTimeout() {
        return transitionTimeout();
    }

    /** The longest "cut the power" may take to show; a few seconds unless overridden. */
    protected Duration forcedTimeout() {
        Duration fiveSeconds = Duration.ofSeconds(5);
        return transitionTimeout().compareTo(fiveSeconds) < 0 ? fiveSeconds : transitionTimeout();
    }

    /** How long to wait for a graceful request to take effect before sending it again. */
    protected Duration retryInterval() {
        Duration d = transitionTimeout().dividedBy(10);
        return d.compareTo(Duration.ofMillis(50)) < 0 ? Duration.ofMillis(50) : d;
    }

    /** How many machines the concurrency tests drive at once. */
    protected int concurrency() {
        return 4;
    }

    /** Another host URI of this driver for host-separation tests, or null to skip them. */
    protected String otherHostUri() {
        return null;
    }

    /** A location code for {@link Hypervisor#defaultHostUri}. */
    protected String locationCode() {
        return "contract";
    }

    // ----------------------------------------------------------------------------------------
    // Lifecycle.

    @BeforeEach
    final void openDriver(TestInfo info) throws Exception {
        testName = info.getTestMethod().map(m -> m.getName()).orElse("test");
        hypervisor = openHypervisor();
        assertThat(hypervisor).as("openHypervisor()").isNotNull();
    }

    @AfterEach
    final void cleanUpAndClose() throws Exception {
        AssertionError failure = null;
        try {
            for (VmRef ref : created) {
                try {
                    hv().delete(ref);
                    awaitGone(ref);
                } catch (Throwable t) {
                    AssertionError e = new AssertionError("Cleanup: could not delete " + ref + ": " + t, t);
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        } finally {
            created.clear();
            if (hypervisor != null) {
                closeHypervisor(hypervisor);
                hypervisor = null;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The driver under test. */
    protected final Hypervisor hv() {
        return hypervisor;
    }

    // ----------------------------------------------------------------------------------------
    // Creating.

    @Test
    @DisplayName("create: BUILDING or RUNNING at once, then RUNNING")
    void createThenBuildingOrRunningThenRunning() {
        VmSpec spec = newSpec();
        hv().create(spec);
        Optional<VmState> now = hv().state(spec.ref());
        assertThat(now).as("state right after create").isPresent();
        assertThat(now.get().power()).as("power right after create").isIn(Power.BUILDING, Power.RUNNING);

        VmState running = awaitRunning(spec.ref());
        assertThat(running.power()).isEqualTo(Power.RUNNING);
    }

    @Test
    @DisplayName("create twice: the same machine, no error, listed once")
    void createTwiceIsHarmless() {
        VmSpec spec = newSpec();
        hv().create(spec);
        assertThatCode(() -> hv().create(spec)).as("second create while booting").doesNotThrowAnyException();
        VmState running = awaitRunning(spec.ref());

        hv().create(spec);
        VmState after = state(spec.ref());
        assertThat(after.power()).as("power after a create of a running machine").isEqualTo(Power.RUNNING);
        assertThat(after.bootCount()).as("bootCount after a create of a running machine (no reboot)")
                .isEqualTo(running.bootCount());
        assertThat(Collections.frequency(hv().list(spec.hostUri()), spec.name()))
                .as("times %s is in list()", spec.name()).isEqualTo(1);
    }

    @Test
    @DisplayName("create of a machine that is off: nothing happens, it stays off")
    void createOfAMachineThatIsOffLeavesItOff() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());

        hv().create(spec);
        assertThat(state(spec.ref()).power()).as("power after create of a machine that is off").isEqualTo(Power.SHUTOFF);
        assertThat(Collections.frequency(hv().list(spec.hostUri()), spec.name())).isEqualTo(1);
    }

    @Test
    @DisplayName("create from several threads at once: one machine, no error")
    void concurrentCreatesOfOneMachineMakeOne() throws Exception {
        VmSpec spec = newSpec();
        inParallel(concurrency(), i -> hv().create(spec));
        awaitRunning(spec.ref());
        assertThat(Collections.frequency(hv().list(spec.hostUri()), spec.name()))
                .as("times %s is in list()", spec.name()).isEqualTo(1);
    }

    // ----------------------------------------------------------------------------------------
    // Listing.

    @Test
    @DisplayName("list and states show created machines, and states agrees with state")
    void listAndStatesShowCreatedMachines() {
        VmSpec a = newSpec();
        VmSpec b = newSpec();
        hv().create(a);
        hv().create(b);
        assertThat(hv().list(a.hostUri())).as("list right after create").contains(a.name(), b.name());

        VmState runningA = awaitRunning(a.ref());
        awaitRunning(b.ref());
        hv().powerOff(b.ref());
        VmState offB = awaitPower(b.ref(), Power.SHUTOFF, forcedTimeout());

        assertThat(hv().list(a.hostUri())).contains(a.name(), b.name()).doesNotHaveDuplicates();
        Map<String, VmState> states = hv().states(a.hostUri());
        assertThat(states).containsKeys(a.name(), b.name());
        assertThat(states.get(a.name()).power()).isEqualTo(Power.RUNNING);
        assertThat(states.get(a.name()).bootCount()).isEqualTo(runningA.bootCount());
        assertThat(states.get(b.name()).power()).isEqualTo(Power.SHUTOFF);
        assertThat(states.get(b.name()).bootCount()).isEqualTo(offB.bootCount());
        for (String name : List.of(a.name(), b.name())) {
            VmState one = state(new VmRef(name, a.hostUri()));
            assertThat(states.get(name).power()).as("states() and state() of %s", name).isEqualTo(one.power());
            assertThat(states.get(name).bootCount()).as("states() and state() bootCount of %s", name).isEqualTo(one.bootCount());
        }
    }

    @Test
    @DisplayName("list(host) shows only that host's machines")
    void listIsPerHost() {
        String other = otherHostUri();
        assumeTrue(other != null, "the driver test names no second host");
        VmSpec here = newSpec();
        VmSpec there = withHost(newSpec(), other);
        hv().create(here);
        hv().create(there);
        assertThat(hv().list(here.hostUri())).contains(here.name()).doesNotContain(there.name());
        assertThat(hv().list(other)).contains(there.name()).doesNotContain(here.name());
        assertThat(hv().states(other)).containsKey(there.name()).doesNotContainKey(here.name());
    }

    @Test
    @DisplayName("defaultHostUri, when the driver has one, is stable and machines can be created there")
    void defaultHostUriIsUsable() {
        String uri = hv().defaultHostUri(locationCode());
        assumeTrue(uri != null, "the driver needs locations to list their hosts");
        assertThat(hv().defaultHostUri(locationCode())).isEqualTo(uri);
        VmSpec spec = withHost(newSpec(), uri);
        hv().create(spec);
        assertThat(hv().list(uri)).contains(spec.name());
        awaitRunning(spec.ref());
        assertThat(hv().states(uri)).containsKey(spec.name());
    }

    @Test
    @DisplayName("name() is what --driver takes")
    void hasAName() {
        assertThat(hv().name()).isNotBlank().matches("[a-z0-9][a-z0-9_-]*");
    }

    // ----------------------------------------------------------------------------------------
    // Start, shutdown, power off.

    @Test
    @DisplayName("start on a running machine: nothing happens")
    void startOnRunningIsANoOp() {
        VmSpec spec = newSpec();
        hv().create(spec);
        assertThatCode(() -> hv().start(spec.ref())).as("start while booting").doesNotThrowAnyException();
        VmState running = awaitRunning(spec.ref());

        hv().start(spec.ref());
        VmState after = state(spec.ref());
        assertThat(after.power()).isEqualTo(Power.RUNNING);
        assertThat(after.bootCount()).as("bootCount after start of a running machine").isEqualTo(running.bootCount());
    }

    @Test
    @DisplayName("shutdown: eventually SHUTOFF (repeated, as guests may not hear it at first)")
    void shutdownEventuallyShutsOff() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        shutdownUntilOff(spec.ref());
        assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
    }

    @Test
    @DisplayName("shutdown of a machine that is off: nothing happens")
    void shutdownWhenOffIsANoOp() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        VmState off = awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());

        assertThatCode(() -> hv().shutdown(spec.ref())).doesNotThrowAnyException();
        VmState after = state(spec.ref());
        assertThat(after.power()).isEqualTo(Power.SHUTOFF);
        assertThat(after.bootCount()).isEqualTo(off.bootCount());
    }

    @Test
    @DisplayName("powerOff: SHUTOFF at once, and again is harmless")
    void powerOffIsQuickAndIdempotent() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());
        assertThatCode(() -> hv().powerOff(spec.ref())).as("second powerOff").doesNotThrowAnyException();
        assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
    }

    @Test
    @DisplayName("powerOff while booting: SHUTOFF")
    void powerOffWhileBooting() {
        VmSpec spec = newSpec();
        hv().create(spec);
        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());
    }

    @Test
    @DisplayName("start from SHUTOFF: RUNNING")
    void startFromShutoffRuns() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());

        hv().start(spec.ref());
        Optional<VmState> now = hv().state(spec.ref());
        assertThat(now).isPresent();
        assertThat(now.get().power()).as("power right after start").isIn(Power.STARTING, Power.RUNNING);
        awaitRunning(spec.ref());
        assertThatCode(() -> hv().start(spec.ref())).as("start again once running").doesNotThrowAnyException();
        assertThat(state(spec.ref()).power()).isEqualTo(Power.RUNNING);
    }

    @Test
    @DisplayName("start after a graceful shutdown: RUNNING")
    void startAfterShutdownRuns() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        shutdownUntilOff(spec.ref());
        hv().start(spec.ref());
        awaitRunning(spec.ref());
    }

    // ----------------------------------------------------------------------------------------
    // Reboot and reset.

    @Test
    @DisplayName("reboot: RUNNING again with another bootCount")
    void rebootChangesBootCount() {
        VmSpec spec = newSpec();
        hv().create(spec);
        VmState before = awaitRunning(spec.ref());
        Duration timeout = scaled(transitionTimeout());
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        while (true) {
            hv().reboot(spec.ref());
            Optional<Optional<VmState>> done = poll(spec.ref(),
                    s -> s.isPresent() && s.get().power() == Power.RUNNING && s.get().bootCount() != before.bootCount(),
                    min(scaled(retryInterval()), remaining(deadline)), seen);
            if (done.isPresent()) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                fail("%s did not reboot (RUNNING with a bootCount other than %d) within %s of repeated reboot requests; saw %s",
                        spec.name(), before.bootCount(), timeout, seen);
            }
        }
    }

    @Test
    @DisplayName("reset: RUNNING again with another bootCount")
    void resetChangesBootCount() {
        VmSpec spec = newSpec();
        hv().create(spec);
        VmState before = awaitRunning(spec.ref());
        hv().reset(spec.ref());
        await(spec.ref(), s -> s.isPresent() && s.get().power() == Power.RUNNING && s.get().bootCount() != before.bootCount(),
                transitionTimeout(), "RUNNING with a bootCount other than " + before.bootCount());
    }

    @Test
    @DisplayName("reset while booting: RUNNING, and it uses resources as a running machine does")
    void resetWhileBootingRuns() {
        VmSpec spec = newSpec();
        hv().create(spec);
        hv().reset(spec.ref());
        awaitRunning(spec.ref());
        UsageSample usage = hv().usage(spec.ref());
        assertThat(state(spec.ref()).power()).isEqualTo(Power.RUNNING);
        assertThat(usage.memoryUsedMb()).as("memory of a running machine after a reset during its boot").isPositive();
    }

    @ParameterizedTest(name = "{0} of a machine that is off: HypervisorException")
    @ValueSource(strings = {"reboot", "reset"})
    void rebootOrResetWhenOffFails(String operation) {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        VmState off = awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());

        assertThatThrownBy(() -> call(operation, spec.ref()))
                .isInstanceOf(HypervisorException.class)
                .isNotInstanceOf(VmNotFoundException.class);
        VmState after = state(spec.ref());
        assertThat(after.power()).as("power after a refused %s", operation).isEqualTo(Power.SHUTOFF);
        assertThat(after.bootCount()).isEqualTo(off.bootCount());
    }

    // ----------------------------------------------------------------------------------------
    // Delete.

    @Test
    @DisplayName("delete: state empty and gone from list, eventually")
    void deleteRemovesTheMachine() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().delete(spec.ref());
        awaitGone(spec.ref());
        assertThat(hv().list(spec.hostUri())).doesNotContain(spec.name());
        assertThat(hv().states(spec.hostUri())).doesNotContainKey(spec.name());
    }

    @Test
    @DisplayName("delete: list() forgets the machine by itself, without anyone asking its state")
    void deletedMachineLeavesList() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().delete(spec.ref());
        List<String> last = List.of();
        long deadline = System.nanoTime() + scaled(transitionTimeout()).toNanos();
        long pause = 1;
        while (true) {
            last = hv().list(spec.hostUri());
            if (!last.contains(spec.name())) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                fail("%s is still in list(%s) %s after delete (states() has it: %s)", spec.name(), spec.hostUri(),
                        scaled(transitionTimeout()), hv().states(spec.hostUri()).containsKey(spec.name()));
            }
            pause = sleep(pause);
        }
        assertThat(hv().states(spec.hostUri())).doesNotContainKey(spec.name());
    }

    @Test
    @DisplayName("delete while booting: gone eventually")
    void deleteWhileBooting() {
        VmSpec spec = newSpec();
        hv().create(spec);
        hv().delete(spec.ref());
        awaitGone(spec.ref());
        assertThat(hv().list(spec.hostUri())).doesNotContain(spec.name());
    }

    @Test
    @DisplayName("delete of a machine that is off: gone eventually")
    void deleteWhenOff() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());
        hv().delete(spec.ref());
        awaitGone(spec.ref());
    }

    @Test
    @DisplayName("delete twice, and delete of a machine that never existed: no error")
    void deleteIsIdempotent() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().delete(spec.ref());
        assertThatCode(() -> hv().delete(spec.ref())).as("delete again at once").doesNotThrowAnyException();
        awaitGone(spec.ref());
        assertThatCode(() -> hv().delete(spec.ref())).as("delete once gone").doesNotThrowAnyException();

        VmRef never = newSpec().ref();
        assertThatCode(() -> hv().delete(never)).as("delete of a machine never created").doesNotThrowAnyException();
        assertThat(hv().state(never)).isEmpty();
    }

    @ParameterizedTest(name = "{0} after delete: the machine does not come back")
    @ValueSource(strings = {"start", "shutdown", "powerOff", "reboot", "reset"})
    void powerCallsAfterDeleteDoNotBringItBack(String operation) {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().delete(spec.ref());
        try {
            call(operation, spec.ref());
        } catch (HypervisorException expected) {
            // VmNotFoundException, or refused because the machine is going away: both fine.
        }
        awaitGone(spec.ref());
        assertThat(hv().list(spec.hostUri())).doesNotContain(spec.name());
    }

    @Test
    @DisplayName("a machine can be created again under the name of a deleted one")
    void recreateAfterDelete() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().delete(spec.ref());
        awaitGone(spec.ref());
        hv().create(spec);
        awaitRunning(spec.ref());
        assertThat(Collections.frequency(hv().list(spec.hostUri()), spec.name())).isEqualTo(1);
    }

    // ----------------------------------------------------------------------------------------
    // Missing machines.

    @ParameterizedTest(name = "{0} of a machine that does not exist: VmNotFoundException")
    @ValueSource(strings = {"start", "shutdown", "powerOff", "reboot", "reset", "usage"})
    void missingMachineIsNotFound(String operation) {
        VmRef never = newSpec().ref();
        assertThatThrownBy(() -> call(operation, never)).isInstanceOf(VmNotFoundException.class);
        assertThat(hv().state(never)).as("state of a machine that never existed").isEmpty();
        assertThat(hv().list(never.hostUri())).doesNotContain(never.name());
    }

    @ParameterizedTest(name = "{0} of a deleted machine: VmNotFoundException")
    @ValueSource(strings = {"start", "shutdown", "powerOff", "reboot", "reset", "usage"})
    void deletedMachineIsNotFound(String operation) {
        VmSpec spec = newSpec();
        hv().create(spec);
        hv().delete(spec.ref());
        awaitGone(spec.ref());
        assertThatThrownBy(() -> call(operation, spec.ref())).isInstanceOf(VmNotFoundException.class);
        assertThat(hv().state(spec.ref())).isEmpty();
    }

    // ----------------------------------------------------------------------------------------
    // Usage.

    @Test
    @DisplayName("usage of a running machine: within its plan, network counter not going back")
    void usageOfARunningMachine() {
        VmSpec spec = newSpec();
        hv().create(spec);
        VmState running = awaitRunning(spec.ref());

        UsageSample first = hv().usage(spec.ref());
        checkRunningUsage(spec, first);
        long pause = 1;
        for (int i = 0; i < 5; i++) {
            pause = sleep(pause);
        }
        UsageSample second = hv().usage(spec.ref());
        VmState after = state(spec.ref());
        checkRunningUsage(spec, second);
        assertThat(after.power()).as("still running between the two samples").isEqualTo(Power.RUNNING);
        assertThat(after.bootCount()).as("no reboot between the two samples").isEqualTo(running.bootCount());
        assertThat(second.netBytes()).as("network bytes of the second sample").isGreaterThanOrEqualTo(first.netBytes());
        assertThat(second.at()).isAfterOrEqualTo(first.at());
    }

    @Test
    @DisplayName("usage of a machine that is off: no CPU, no memory")
    void usageWhenOff() {
        VmSpec spec = newSpec();
        hv().create(spec);
        awaitRunning(spec.ref());
        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());

        UsageSample usage = hv().usage(spec.ref());
        assertThat(usage.cpuPercent()).as("CPU of a machine that is off").isZero();
        assertThat(usage.memoryUsedMb()).as("memory of a machine that is off").isZero();
        assertThat(usage.netBytes()).isNotNegative();
        assertThat(usage.allocatedDiskGb()).isNotNegative();
        if (usage.diskUsedGb() != null) {
            assertThat(usage.diskUsedGb()).isBetween(0L, (long) spec.storageGb());
        }
        assertThat(usage.at()).isNotNull();
    }

    @Test
    @DisplayName("observe: what state and usage say, in one look; empty for a machine that is not there")
    void observeIsStateAndUsage() {
        VmSpec spec = newSpec();
        assertThat(hv().observe(spec.ref())).as("observe of a machine that never existed").isEmpty();
        hv().create(spec);
        VmState running = awaitRunning(spec.ref());

        Observation seen = hv().observe(spec.ref()).orElseThrow();
        assertThat(seen.state().power()).as("power observed of a running machine").isEqualTo(Power.RUNNING);
        assertThat(seen.state().bootCount()).as("boot count observed").isEqualTo(running.bootCount());
        assertThat(seen.usage()).as("usage observed of a running machine").isNotNull();
        checkRunningUsage(spec, seen.usage());

        hv().powerOff(spec.ref());
        awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());
        Observation off = hv().observe(spec.ref()).orElseThrow();
        assertThat(off.state().power()).as("power observed of a machine that is off").isEqualTo(Power.SHUTOFF);
        assertThat(off.usage()).as("usage observed of a machine that is off").isNull();

        hv().delete(spec.ref());
        awaitGone(spec.ref());
        assertThat(hv().observe(spec.ref())).as("observe of a deleted machine").isEmpty();
    }

    private static void checkRunningUsage(VmSpec spec, UsageSample u) {
        assertThat(u.cpuPercent()).as("CPU percent").isBetween(0.0, 100.0);
        assertThat(u.memoryUsedMb()).as("memory used (MB) of a running machine with %d MB", spec.memoryMb())
                .isPositive().isLessThanOrEqualTo(spec.memoryMb());
        if (u.diskUsedGb() != null) {
            assertThat(u.diskUsedGb()).as("disk used (GB) of %d GB", spec.storageGb()).isBetween(0L, (long) spec.storageGb());
        }
        assertThat(u.allocatedDiskGb()).as("allocated disk (GB)").isNotNegative();
        assertThat(u.netBytes()).as("network bytes").isNotNegative();
        assertThat(u.at()).as("sample time").isNotNull();
    }

    // ----------------------------------------------------------------------------------------
    // Concurrency.

    @Test
    @DisplayName("several threads at once, each on its own machine: all work")
    void concurrentLifecycles() throws Exception {
        List<VmSpec> specs = new ArrayList<>();
        for (int i = 0; i < concurrency(); i++) {
            specs.add(newSpec());
        }
        inParallel(specs.size(), i -> {
            VmSpec spec = specs.get(i);
            hv().create(spec);
            awaitRunning(spec.ref());
            checkRunningUsage(spec, hv().usage(spec.ref()));
            hv().powerOff(spec.ref());
            awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());
            hv().start(spec.ref());
            VmState started = awaitRunning(spec.ref());
            hv().reset(spec.ref());
            await(spec.ref(), s -> s.isPresent() && s.get().power() == Power.RUNNING && s.get().bootCount() != started.bootCount(),
                    transitionTimeout(), "RUNNING after reset");
            hv().delete(spec.ref());
            awaitGone(spec.ref());
        });
        List<String> listed = hv().list(specs.get(0).hostUri());
        for (VmSpec spec : specs) {
            assertThat(listed).doesNotContain(spec.name());
        }
    }

    @Test
    @DisplayName("several threads at once on different machines while list and states are read")
    void concurrentCallsWithReads() throws Exception {
        List<VmSpec> specs = new ArrayList<>();
        for (int i = 0; i < concurrency(); i++) {
            specs.add(newSpec());
        }
        String host = specs.get(0).hostUri();
        inParallel(specs.size() * 2, i -> {
            if (i % 2 == 1) {
                for (int k = 0; k < 20; k++) {
                    hv().list(host);
                    hv().states(host);
                }
                return;
            }
            VmSpec spec = specs.get(i / 2);
            hv().create(spec);
            hv().create(spec);
            awaitRunning(spec.ref());
            hv().powerOff(spec.ref());
            awaitPower(spec.ref(), Power.SHUTOFF, forcedTimeout());
        });
        Map<String, VmState> states = hv().states(host);
        for (VmSpec spec : specs) {
            assertThat(states).containsKey(spec.name());
            assertThat(states.get(spec.name()).power()).isEqualTo(Power.SHUTOFF);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Helpers, for this suite and a driver's own tests.

    /** A spec with a name unique to this run and test; the machine is deleted after the test. */
    protected final VmSpec newSpec() {
        String test = testName.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
        if (test.length() > 20) {
            test = test.substring(0, 20);
        }
        String name = "ct-" + RUN + "-" + SEQUENCE.incrementAndGet() + "-" + test;
        VmSpec spec = spec(name);
        assertThat(spec.name()).as("spec(name).name()").isEqualTo(name);
        created.add(spec.ref());
        return spec;
    }

    private VmSpec withHost(VmSpec s, String hostUri) {
        created.remove(s.ref());
        VmSpec spec = new VmSpec(s.name(), hostUri, s.domainType(), s.bridge(), s.vcpus(), s.memoryMb(), s.storageGb(), s.image(),
                s.hostname(), s.sshAuthorizedKey(), s.ipv4(), s.ipv6(), s.dns());
        created.add(spec.ref());
        return spec;
    }

    private void call(String operation, VmRef ref) {
        switch (operation) {
            case "start" -> hv().start(ref);
            case "shutdown" -> hv().shutdown(ref);
            case "powerOff" -> hv().powerOff(ref);
            case "reboot" -> hv().reboot(ref);
            case "reset" -> hv().reset(ref);
            case "usage" -> hv().usage(ref);
            default -> throw new IllegalArgumentException(operation);
        }
    }

    /** The machine's state, which must exist. */
    protected final VmState state(VmRef ref) {
        Optional<VmState> s = hv().state(ref);
        assertThat(s).as("state of %s", ref.name()).isPresent();
        return s.get();
    }

    protected final VmState awaitRunning(VmRef ref) {
        return await(ref, s -> s.isPresent() && s.get().power() == Power.RUNNING, buildTimeout(), "RUNNING").get();
    }

    protected final VmState awaitPower(VmRef ref, Power power, Duration timeout) {
        return await(ref, s -> s.isPresent() && s.get().power() == power, timeout, power.toString()).get();
    }

    protected final void awaitGone(VmRef ref) {
        await(ref, Optional::isEmpty, transitionTimeout(), "gone (state empty)");
    }

    /** Asks for a graceful shutdown again and again, as callers do, until the machine is off. */
    protected final void shutdownUntilOff(VmRef ref) {
        Duration timeout = scaled(transitionTimeout());
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> seen = new ArrayList<>();
        while (true) {
            hv().shutdown(ref);
            Optional<Optional<VmState>> off = poll(ref, s -> s.isPresent() && s.get().power() == Power.SHUTOFF,
                    min(scaled(retryInterval()), remaining(deadline)), seen);
            if (off.isPresent()) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                fail("%s did not shut off within %s of repeated shutdown requests; saw %s", ref.name(), timeout, seen);
            }
        }
    }

    /** Polls the state until {@code until} holds; fails after {@code timeout} (scaled) with what was seen. */
    protected final Optional<VmState> await(VmRef ref, Predicate<Optional<VmState>> until, Duration timeout, String what) {
        List<String> seen = new ArrayList<>();
        Duration scaled = scaled(timeout);
        return poll(ref, until, scaled, seen).orElseGet(() -> {
            fail("%s: not %s within %s; saw %s", ref.name(), what, scaled, seen);
            return null;
        });
    }

    private Optional<Optional<VmState>> poll(VmRef ref, Predicate<Optional<VmState>> until, Duration timeout, List<String> seen) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 1;
        while (true) {
            Optional<VmState> s = hv().state(ref);
            String shown = s.map(v -> v.power() + "#" + v.bootCount()).orElse("gone");
            if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(shown)) {
                seen.add(shown);
            }
            if (until.test(s)) {
                return Optional.of(s);
            }
            if (System.nanoTime() - deadline >= 0) {
                return Optional.empty();
            }
            pause = Math.min(sleep(pause), Math.max(1, remaining(deadline).toMillis()));
        }
    }

    /** Sleeps {@code millis} and returns the next, longer pause (backing off up to a second). */
    private long sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        long cap = Math.max(5, Math.min(1000, scaled(transitionTimeout()).toMillis() / 50));
        return Math.min(cap, millis * 2);
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** {@code d} times {@code vpsd.contract.timeout-factor}. */
    protected static Duration scaled(Duration d) {
        double factor = Double.parseDouble(System.getProperty("vpsd.contract.timeout-factor", "1"));
        return Duration.ofNanos((long) (d.toNanos() * factor));
    }

    @FunctionalInterface
    protected interface IndexedTask {
        void run(int index) throws Exception;
    }

    /** Runs {@code n} tasks on {@code n} threads released at once; fails with the first failure. */
    protected final void inParallel(int n, IndexedTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    go.await();
                    task.run(index);
                    return null;
                }));
            }
            go.countDown();
            long budget = scaled(transitionTimeout()).multipliedBy(8).plus(scaled(buildTimeout())).toMillis();
            for (Future<?> f : futures) {
                try {
                    f.get(budget, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new AssertionError("A concurrent call failed: " + cause, cause);
                } catch (TimeoutException e) {
                    throw new AssertionError("Concurrent calls did not finish within " + budget + " ms", e);
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
