package org.vpsd.server.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vpsd.server.store.Database;
import org.vpsd.server.store.SimStore;
import org.vpsd.server.store.SimStore.SimVm;
import org.vpsd.server.testing.TestDatabase;

/**
 * What the simulated hypervisor offers beyond the driver contract ({@link SimulatedHypervisorContractTest}):
 * documentation-like timing, fault injection, guests that ignore ACPI or ignore the power button while
 * booting, guests that power off or crash by themselves, machines that outlive the process, and
 * deterministic usage.
 *
 * <p>Time is a {@link MutableClock} moved by the tests, at time scale 1, so that a five-minute
 * first boot is checked in milliseconds.
 */
class SimulatedHypervisorTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final String HOST = "sim:test";
    /** The store keeps microseconds; instants read back may be that much earlier than computed. */
    private static final Duration PRECISION = Duration.ofMillis(1);

    @TempDir
    Path dir;

    private TestDatabase testDatabase;
    private Database database;
    private MutableClock clock;
    private SimulatedHypervisor sim;
    private int sequence;

    @BeforeEach
    void open() {
        testDatabase = TestDatabase.create(dir);
        database = Database.open(url(), 8, "sim-test");
        clock = new MutableClock(T0);
        sim = new SimulatedHypervisor(new SimStore(database), clock, 1);
    }

    @AfterEach
    void close() {
        sim.close();
        database.close();
        testDatabase.drop();
    }

    private String url() {
        return testDatabase.url() != null ? testDatabase.url() : Database.h2Url(dir);
    }

    // ----------------------------------------------------------------------------------------
    // Helpers.

    private static VmSpec spec(String name) {
        return new VmSpec(name, HOST, "kvm", "br0", 2, 2048, 40, "debian-12", name, null,
                new VmSpec.Address("192.0.2.20", 24, "192.0.2.1"), null, List.of("192.0.2.53"));
    }

    private VmSpec newSpec() {
        return spec("sim-" + (++sequence));
    }

    private static VmRef ref(String name) {
        return new VmRef(name, HOST);
    }

    private VmState state(SimulatedHypervisor h, VmRef ref) {
        Optional<VmState> s = h.state(ref);
        assertThat(s).as("state of %s", ref.name()).isPresent();
        return s.get();
    }

    private VmState state(VmRef ref) {
        return state(sim, ref);
    }

    /** Moves the clock just past the end of the machine's current transition. */
    private VmState settle(VmRef ref) {
        VmState s = state(ref);
        assertThat(s.settlesAt()).as("settlesAt of %s in %s", ref.name(), s.power()).isNotNull();
        clock.set(s.settlesAt().plus(PRECISION));
        return state(ref);
    }

    /** A created machine whose first boot is over. */
    private VmSpec running() {
        VmSpec spec = newSpec();
        sim.create(spec);
        assertThat(settle(spec.ref()).power()).isEqualTo(Power.RUNNING);
        return spec;
    }

    private static void assertSettlesBetween(VmState s, Instant now, int minSeconds, int maxSeconds) {
        assertThat(s.settlesAt()).as("settlesAt of a %s machine", s.power()).isNotNull()
                .isBetween(now.plusSeconds(minSeconds).minus(PRECISION), now.plusSeconds(maxSeconds));
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Timing at scale 1 is that of a real hypervisor")
    class Timing {

        @Test
        @DisplayName("a first boot takes 2 to 5 minutes: still BUILDING a second later")
        void firstBootTakesMinutes() {
            VmSpec spec = newSpec();
            sim.create(spec);
            VmState building = state(spec.ref());
            assertThat(building.power()).isEqualTo(Power.BUILDING);
            assertSettlesBetween(building, T0, 120, 300);

            clock.advance(Duration.ofSeconds(1));
            assertThat(state(spec.ref()).power()).as("a second after create").isEqualTo(Power.BUILDING);
            clock.set(building.settlesAt().minus(PRECISION));
            assertThat(state(spec.ref()).power()).as("just before settlesAt").isEqualTo(Power.BUILDING);
            clock.set(building.settlesAt().plus(PRECISION));
            VmState running = state(spec.ref());
            assertThat(running.power()).as("just after settlesAt").isEqualTo(Power.RUNNING);
            assertThat(running.settlesAt()).as("settlesAt of a settled machine").isNull();
            assertThat(running.bootCount()).isNotEqualTo(building.bootCount());
        }

        @Test
        @DisplayName("start 5-15 s, shutdown 5-20 s, reboot 10-30 s, reset 5-10 s, delete 2-5 s, power off at once")
        void transitionsTakeTheirDocumentedTime() {
            for (int round = 0; round < 3; round++) {
                VmSpec spec = running();
                VmRef vm = spec.ref();

                sim.shutdown(vm);
                VmState s = state(vm);
                assertThat(s.power()).isEqualTo(Power.SHUTTING_DOWN);
                assertSettlesBetween(s, clock.instant(), 5, 20);
                assertThat(settle(vm).power()).isEqualTo(Power.SHUTOFF);

                sim.start(vm);
                s = state(vm);
                assertThat(s.power()).isEqualTo(Power.STARTING);
                assertSettlesBetween(s, clock.instant(), 5, 15);
                assertThat(settle(vm).power()).isEqualTo(Power.RUNNING);

                long boot = state(vm).bootCount();
                sim.reboot(vm);
                s = state(vm);
                assertThat(s.power()).isEqualTo(Power.REBOOTING);
                assertSettlesBetween(s, clock.instant(), 10, 30);
                VmState rebooted = settle(vm);
                assertThat(rebooted.power()).isEqualTo(Power.RUNNING);
                assertThat(rebooted.bootCount()).isNotEqualTo(boot);

                sim.reset(vm);
                s = state(vm);
                assertThat(s.power()).isEqualTo(Power.REBOOTING);
                assertSettlesBetween(s, clock.instant(), 5, 10);
                VmState reset = settle(vm);
                assertThat(reset.power()).isEqualTo(Power.RUNNING);
                assertThat(reset.bootCount()).isNotEqualTo(rebooted.bootCount());

                sim.powerOff(vm);
                s = state(vm);
                assertThat(s.power()).as("power off is immediate").isEqualTo(Power.SHUTOFF);
                assertThat(s.settlesAt()).isNull();

                sim.delete(vm);
                s = state(vm);
                assertThat(s.power()).as("a machine being deleted").isEqualTo(Power.SHUTTING_DOWN);
                assertSettlesBetween(s, clock.instant(), 2, 5);
                clock.set(s.settlesAt().plus(PRECISION));
                assertThat(sim.state(vm)).as("after the deletion").isEmpty();
            }
        }

        @Test
        @DisplayName("the time scale divides every duration")
        void timeScaleDividesDurations() {
            SimulatedHypervisor fast = new SimulatedHypervisor(new SimStore(database), clock, 60);
            VmSpec spec = newSpec();
            fast.create(spec);
            assertSettlesBetween(state(fast, spec.ref()), T0, 2, 5);
            clock.set(state(fast, spec.ref()).settlesAt().plus(PRECISION));
            fast.reboot(spec.ref());
            VmState rebooting = state(fast, spec.ref());
            assertThat(rebooting.settlesAt()).isBetween(clock.instant().plusMillis(10_000 / 60).minus(PRECISION),
                    clock.instant().plusMillis(30_000 / 60 + 1));
        }

        @ParameterizedTest(name = "time scale {0} is refused")
        @ValueSource(doubles = {0, -1, Double.NaN})
        void nonPositiveTimeScaleIsRefused(double scale) {
            assertThatThrownBy(() -> new SimulatedHypervisor(new SimStore(database), clock, scale))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Fault injection")
    class Faults {

        @Test
        @DisplayName("fail_next 2: the next two calls fail with the message, the third works")
        void nextCallsFail() {
            sim.setFault("create", 2, 0, "boom");
            VmSpec spec = newSpec();
            for (int i = 1; i <= 2; i++) {
                assertThatThrownBy(() -> sim.create(spec)).as("create #%d", i)
                        .isInstanceOf(HypervisorException.class).isNotInstanceOf(VmNotFoundException.class)
                        .hasMessage("boom");
                assertThat(sim.state(spec.ref())).as("a failed create makes nothing").isEmpty();
            }
            assertThatCode(() -> sim.create(spec)).as("create #3").doesNotThrowAnyException();
            assertThat(state(spec.ref()).power()).isEqualTo(Power.BUILDING);
            assertThat(sim.faults()).singleElement().satisfies(f -> assertThat(f.failNext()).as("fail_next left").isZero());
        }

        @Test
        @DisplayName("failure rate 1.0: every call fails")
        void rateOneAlwaysFails() {
            VmSpec spec = running();
            sim.powerOff(spec.ref());
            sim.setFault("start", 0, 1.0, null);
            for (int i = 0; i < 25; i++) {
                assertThatThrownBy(() -> sim.start(spec.ref())).isInstanceOf(HypervisorException.class)
                        .hasMessageContaining("start");
            }
            assertThat(state(spec.ref()).power()).as("failed starts leave the machine off").isEqualTo(Power.SHUTOFF);
        }

        @Test
        @DisplayName("failure rate 0 (and no fail_next): no call fails")
        void rateZeroNeverFails() {
            VmSpec spec = running();
            sim.setFault("power_off", 0, 0.0, "never");
            for (int i = 0; i < 25; i++) {
                assertThatCode(() -> sim.powerOff(spec.ref())).doesNotThrowAnyException();
            }
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
        }

        @Test
        @DisplayName("failure rate 0.5: about half the calls fail")
        void rateHalfFailsAboutHalf() {
            VmSpec spec = running();
            sim.setFault("state", 0, 0.5, "flaky");
            int failures = 0;
            for (int i = 0; i < 400; i++) {
                try {
                    sim.state(spec.ref());
                } catch (HypervisorException e) {
                    assertThat(e).hasMessage("flaky");
                    failures++;
                }
            }
            assertThat(failures).isBetween(120, 280);
        }

        @Test
        @DisplayName("after fail_next is used up, the failure rate applies")
        void rateAppliesAfterFailNext() {
            VmSpec spec = running();
            sim.setFault("usage", 1, 1.0, "still failing");
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> sim.usage(spec.ref())).hasMessage("still failing");
            }
        }

        static final List<String> OPERATIONS = SimulatedHypervisor.OPERATIONS;

        @ParameterizedTest(name = "a fault on {0} fails it and changes nothing")
        @FieldSource("OPERATIONS")
        void everyOperationCanFail(String operation) {
            VmSpec spec = running();
            VmState before = state(spec.ref());
            VmSpec other = newSpec();
            sim.setFault(operation, 0, 1.0, "injected " + operation);
            Runnable call = switch (operation) {
                case "create" -> () -> sim.create(other);
                case "start" -> () -> sim.start(spec.ref());
                case "shutdown" -> () -> sim.shutdown(spec.ref());
                case "power_off" -> () -> sim.powerOff(spec.ref());
                case "reboot" -> () -> sim.reboot(spec.ref());
                case "reset" -> () -> sim.reset(spec.ref());
                case "delete" -> () -> sim.delete(spec.ref());
                case "state" -> () -> sim.state(spec.ref());
                case "usage" -> () -> sim.usage(spec.ref());
                default -> throw new IllegalArgumentException(operation);
            };
            assertThatThrownBy(call::run).isInstanceOf(HypervisorException.class).hasMessage("injected " + operation);
            sim.clearFaults();
            assertThat(state(spec.ref())).as("state after a failed %s", operation).isEqualTo(before);
            assertThat(sim.state(other.ref())).isEmpty();
        }

        @Test
        @DisplayName("observe meets the faults of state and of usage: a failing state fails it, a failing usage leaves the sample out")
        void observeMeetsBothFaults() {
            VmSpec spec = running();
            sim.setFault("usage", 1, 0, "no usage");
            Observation seen = sim.observe(spec.ref()).orElseThrow();
            assertThat(seen.state().power()).isEqualTo(Power.RUNNING);
            assertThat(seen.usage()).as("usage observed while usage fails").isNull();
            assertThat(sim.faults()).singleElement().satisfies(f -> assertThat(f.failNext()).as("usage's fail_next used").isZero());
            sim.setFault("state", 1, 0, "no state");
            assertThatThrownBy(() -> sim.observe(spec.ref())).isInstanceOf(HypervisorException.class).hasMessage("no state");
            sim.clearFaults();
            assertThat(sim.observe(spec.ref()).orElseThrow().usage()).as("usage observed once the faults are gone").isNotNull();
        }

        @Test
        @DisplayName("a fault on one operation leaves the others alone")
        void faultsArePerOperation() {
            VmSpec spec = running();
            sim.setFault("reboot", 0, 1.0, "no reboots");
            assertThatThrownBy(() -> sim.reboot(spec.ref())).hasMessage("no reboots");
            assertThatCode(() -> sim.reset(spec.ref())).doesNotThrowAnyException();
            assertThatCode(() -> sim.create(newSpec())).doesNotThrowAnyException();
        }

        @Test
        @DisplayName("clearFaults: every call works again")
        void clearFaultsRemovesThem() {
            VmSpec spec = running();
            sim.setFault("shutdown", 0, 1.0, "a");
            sim.setFault("usage", 5, 0, "b");
            assertThat(sim.faults()).extracting(SimStore.Fault::operation).containsExactly("shutdown", "usage");
            sim.clearFaults();
            assertThat(sim.faults()).isEmpty();
            assertThatCode(() -> sim.usage(spec.ref())).doesNotThrowAnyException();
            sim.shutdown(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTTING_DOWN);
        }

        @Test
        @DisplayName("operation names: as the admin API names them, any case; others refused")
        void operationNames() {
            sim.setFault("CREATE", 1, 0, "upper");
            assertThat(sim.faults()).extracting(SimStore.Fault::operation).containsExactly("create");
            assertThatThrownBy(() -> sim.setFault("explode", 1, 0, null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sim.setFault("powerOff", 1, 0, null)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("faults are kept in the database: every replica sees them")
        void faultsAreShared() {
            SimulatedHypervisor replica = new SimulatedHypervisor(new SimStore(database), clock, 1);
            sim.setFault("create", 0, 1.0, "shared");
            assertThatThrownBy(() -> replica.create(newSpec())).hasMessage("shared");
            replica.clearFaults();
            assertThatCode(() -> sim.create(newSpec())).doesNotThrowAnyException();
        }
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Graceful requests that guests ignore")
    class IgnoredRequests {

        @Test
        @DisplayName("ignore ACPI: shutdown and reboot do nothing, however long one waits")
        void ignoreAcpiIgnoresShutdownAndReboot() {
            VmSpec spec = running();
            VmState before = state(spec.ref());
            sim.setIgnoreAcpi(true);
            assertThat(sim.ignoresAcpi()).isTrue();

            sim.shutdown(spec.ref());
            sim.reboot(spec.ref());
            clock.advance(Duration.ofHours(1));
            VmState after = state(spec.ref());
            assertThat(after.power()).isEqualTo(Power.RUNNING);
            assertThat(after.bootCount()).as("no reboot happened").isEqualTo(before.bootCount());
        }

        @Test
        @DisplayName("ignore ACPI: reset and power off still work")
        void ignoreAcpiStillResetsAndPowersOff() {
            VmSpec spec = running();
            VmState before = state(spec.ref());
            sim.setIgnoreAcpi(true);

            sim.reset(spec.ref());
            VmState reset = settle(spec.ref());
            assertThat(reset.power()).isEqualTo(Power.RUNNING);
            assertThat(reset.bootCount()).isNotEqualTo(before.bootCount());

            sim.powerOff(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
        }

        @Test
        @DisplayName("ignore ACPI off again: shutdown works, for every replica")
        void heedAcpiAgain() {
            SimulatedHypervisor replica = new SimulatedHypervisor(new SimStore(database), clock, 1);
            VmSpec spec = running();
            sim.setIgnoreAcpi(true);
            assertThat(replica.ignoresAcpi()).isTrue();
            replica.shutdown(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.RUNNING);

            sim.setIgnoreAcpi(false);
            assertThat(replica.ignoresAcpi()).isFalse();
            replica.shutdown(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTTING_DOWN);
            assertThat(settle(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
        }

        @Test
        @DisplayName("a booting guest does not hear the power button: shutdown while BUILDING is lost")
        void shutdownWhileBuildingIsLost() {
            VmSpec spec = newSpec();
            sim.create(spec);
            clock.advance(Duration.ofSeconds(30));
            sim.shutdown(spec.ref());
            VmState s = state(spec.ref());
            assertThat(s.power()).isEqualTo(Power.BUILDING);
            assertThat(settle(spec.ref()).power()).as("after the boot").isEqualTo(Power.RUNNING);
            clock.advance(Duration.ofHours(1));
            assertThat(state(spec.ref()).power()).as("an hour later").isEqualTo(Power.RUNNING);

            sim.shutdown(spec.ref());
            assertThat(state(spec.ref()).power()).as("once booted, it hears the button").isEqualTo(Power.SHUTTING_DOWN);
            assertThat(settle(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
        }

        @Test
        @DisplayName("shutdown while STARTING or REBOOTING is lost too")
        void shutdownWhileStartingOrRebootingIsLost() {
            VmSpec spec = running();
            sim.powerOff(spec.ref());
            sim.start(spec.ref());
            sim.shutdown(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.STARTING);
            assertThat(settle(spec.ref()).power()).isEqualTo(Power.RUNNING);

            sim.reboot(spec.ref());
            sim.shutdown(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.REBOOTING);
            assertThat(settle(spec.ref()).power()).isEqualTo(Power.RUNNING);
        }

        @Test
        @DisplayName("power off while BUILDING works")
        void powerOffWhileBuilding() {
            VmSpec spec = newSpec();
            sim.create(spec);
            sim.powerOff(spec.ref());
            VmState s = state(spec.ref());
            assertThat(s.power()).isEqualTo(Power.SHUTOFF);
            clock.advance(Duration.ofMinutes(10));
            assertThat(state(spec.ref()).power()).as("it stays off").isEqualTo(Power.SHUTOFF);
        }
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Guests that power off or crash by themselves")
    class GuestEvents {
        private final List<String> told = new CopyOnWriteArrayList<>();
        private final List<String> toldToo = new CopyOnWriteArrayList<>();

        @BeforeEach
        void listen() {
            sim.onChange(told::add);
            sim.onChange(toldToo::add);
        }

        @Test
        @DisplayName("guestPowerOff: SHUTOFF, no usage, listeners told")
        void guestPowerOff() {
            VmSpec spec = running();
            sim.guestPowerOff(spec.name());
            assertThat(told).containsExactly(spec.name());
            assertThat(toldToo).containsExactly(spec.name());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
            UsageSample u = sim.usage(spec.ref());
            assertThat(u.cpuPercent()).isZero();
            assertThat(u.memoryUsedMb()).isZero();
            sim.start(spec.ref());
            assertThat(settle(spec.ref()).power()).isEqualTo(Power.RUNNING);
        }

        @Test
        @DisplayName("crash: CRASHED, no usage, listeners told; start brings it back, reboot and reset are refused")
        void crash() {
            VmSpec spec = running();
            sim.crash(spec.name());
            assertThat(told).containsExactly(spec.name());
            assertThat(toldToo).containsExactly(spec.name());
            VmState crashed = state(spec.ref());
            assertThat(crashed.power()).isEqualTo(Power.CRASHED);
            assertThat(crashed.power().on()).isFalse();
            UsageSample u = sim.usage(spec.ref());
            assertThat(u.cpuPercent()).isZero();
            assertThat(u.memoryUsedMb()).isZero();
            assertThatThrownBy(() -> sim.reboot(spec.ref())).isInstanceOf(HypervisorException.class)
                    .isNotInstanceOf(VmNotFoundException.class);
            assertThatThrownBy(() -> sim.reset(spec.ref())).isInstanceOf(HypervisorException.class)
                    .isNotInstanceOf(VmNotFoundException.class);

            sim.start(spec.ref());
            VmState restarted = settle(spec.ref());
            assertThat(restarted.power()).isEqualTo(Power.RUNNING);
            assertThat(restarted.bootCount()).isNotEqualTo(crashed.bootCount());
        }

        @Test
        @DisplayName("power off of a crashed machine: SHUTOFF")
        void powerOffCrashed() {
            VmSpec spec = running();
            sim.crash(spec.name());
            sim.powerOff(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
        }

        @Test
        @DisplayName("guest events of a machine that does not exist: VmNotFoundException, nobody told")
        void missingMachine() {
            assertThatThrownBy(() -> sim.guestPowerOff("nobody")).isInstanceOf(VmNotFoundException.class);
            assertThatThrownBy(() -> sim.crash("nobody")).isInstanceOf(VmNotFoundException.class);
            assertThat(told).isEmpty();
        }

        @ParameterizedTest(name = "{0} during the deletion does not bring the machine back")
        @ValueSource(strings = {"guestPowerOff", "crash"})
        void guestEventDuringDeletion(String event) {
            VmSpec spec = running();
            sim.delete(spec.ref());
            try {
                if (event.equals("crash")) {
                    sim.crash(spec.name());
                } else {
                    sim.guestPowerOff(spec.name());
                }
            } catch (VmNotFoundException fine) {
                // Gone already, as far as the guest is concerned.
            }
            clock.advance(Duration.ofMinutes(10));
            assertThat(sim.state(spec.ref())).as("ten minutes after delete").isEmpty();
        }
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Requests during a deletion")
    class DuringDeletion {

        @ParameterizedTest(name = "{0} during the deletion does not bring the machine back")
        @ValueSource(strings = {"start", "shutdown", "powerOff", "reboot", "reset"})
        void powerRequestDuringDeletion(String operation) {
            VmSpec spec = running();
            sim.delete(spec.ref());
            try {
                switch (operation) {
                    case "start" -> sim.start(spec.ref());
                    case "shutdown" -> sim.shutdown(spec.ref());
                    case "powerOff" -> sim.powerOff(spec.ref());
                    case "reboot" -> sim.reboot(spec.ref());
                    case "reset" -> sim.reset(spec.ref());
                    default -> throw new IllegalArgumentException(operation);
                }
            } catch (HypervisorException refused) {
                // Not found, or refused because the machine is going away: both fine.
            }
            clock.advance(Duration.ofMinutes(10));
            assertThat(sim.state(spec.ref())).as("ten minutes after delete").isEmpty();
            assertThat(sim.list(HOST)).doesNotContain(spec.name());
        }

        @Test
        @DisplayName("list() forgets a deleted machine once the deletion is over")
        void listForgetsDeletedMachine() {
            VmSpec spec = running();
            sim.delete(spec.ref());
            clock.advance(Duration.ofMinutes(10));
            assertThat(sim.states(HOST)).doesNotContainKey(spec.name());
            assertThat(sim.list(HOST)).as("list() ten minutes after delete").doesNotContain(spec.name());
        }
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Machines outlive vpsd")
    class Persistence {

        @Test
        @DisplayName("a new instance on the same database finds every machine as it was")
        void newInstanceFindsMachines() {
            VmSpec on = running();
            VmSpec off = running();
            sim.powerOff(off.ref());
            VmSpec building = newSpec();
            sim.create(building);
            List<String> names = sim.list(HOST);
            var states = sim.states(HOST);

            SimulatedHypervisor restarted = new SimulatedHypervisor(new SimStore(database), clock, 1);
            assertThat(restarted.list(HOST)).isEqualTo(names).contains(on.name(), off.name(), building.name());
            assertThat(restarted.states(HOST)).isEqualTo(states);
            assertThat(state(restarted, on.ref()).power()).isEqualTo(Power.RUNNING);
            assertThat(state(restarted, off.ref()).power()).isEqualTo(Power.SHUTOFF);
            VmState b = state(restarted, building.ref());
            assertThat(b.power()).isEqualTo(Power.BUILDING);
            clock.set(b.settlesAt().plus(PRECISION));
            assertThat(state(restarted, building.ref()).power()).as("the boot goes on under the new instance")
                    .isEqualTo(Power.RUNNING);
        }

        @Test
        @DisplayName("a reopened database (a vpsd restart) finds every machine as it was")
        void reopenedDatabaseFindsMachines() {
            VmSpec on = running();
            VmSpec off = running();
            sim.powerOff(off.ref());
            sim.setFault("reboot", 3, 0, "kept");
            sim.setIgnoreAcpi(true);
            var states = sim.states(HOST);
            sim.close();
            database.close();

            database = Database.open(url(), 8, "sim-test-reopened");
            sim = new SimulatedHypervisor(new SimStore(database), clock, 1);
            assertThat(sim.list(HOST)).containsExactlyInAnyOrder(on.name(), off.name());
            assertThat(sim.states(HOST)).isEqualTo(states);
            assertThat(sim.ignoresAcpi()).isTrue();
            assertThat(sim.faults()).singleElement().satisfies(f -> {
                assertThat(f.operation()).isEqualTo("reboot");
                assertThat(f.failNext()).isEqualTo(3);
            });
        }

        @Test
        @DisplayName("replicas on one database see each other's changes")
        void replicasAgree() {
            SimulatedHypervisor replica = new SimulatedHypervisor(new SimStore(database), clock, 1);
            VmSpec spec = running();
            replica.create(spec);
            assertThat(replica.list(HOST)).containsOnlyOnce(spec.name());
            replica.powerOff(spec.ref());
            assertThat(state(spec.ref()).power()).isEqualTo(Power.SHUTOFF);
            sim.delete(spec.ref());
            clock.advance(Duration.ofMinutes(1));
            assertThat(replica.state(spec.ref())).isEmpty();
        }
    }

    // ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("Usage")
    class Usage {

        @Test
        @DisplayName("the same machine at the same moment: the same sample, whichever replica asks")
        void deterministic() {
            VmSpec spec = running();
            clock.advance(Duration.ofHours(3));
            SimulatedHypervisor replica = new SimulatedHypervisor(new SimStore(database), clock, 1);
            UsageSample a = sim.usage(spec.ref());
            UsageSample b = sim.usage(spec.ref());
            UsageSample c = replica.usage(spec.ref());
            assertThat(b).isEqualTo(a);
            assertThat(c).isEqualTo(a);
        }

        @Test
        @DisplayName("the figures depend on the name and running time only")
        void dependsOnNameAndRunningTimeOnly() {
            Instant started = T0.plusSeconds(200);
            Instant now = started.plus(Duration.ofHours(5));
            SimVm one = new SimVm("web-1", "sim:a", 2, 2048, 40, "running", null, 1, started, 3_600_000, T0);
            SimVm same = new SimVm("web-1", "sim:b", 2, 2048, 40, "running", null, 7, started, 3_600_000, T0.plusSeconds(9));
            assertThat(SimulatedUsage.sample(same, now)).isEqualTo(SimulatedUsage.sample(one, now));

            Set<Double> cpus = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                SimVm other = new SimVm("web-" + i, "sim:a", 2, 2048, 40, "running", null, 1, started, 3_600_000, T0);
                cpus.add(SimulatedUsage.sample(other, now).cpuPercent());
            }
            assertThat(cpus).as("machines of other names load differently").hasSizeGreaterThan(1);
        }

        @Test
        @DisplayName("no CPU, memory or traffic while off, booting or crashed")
        void zeroWhenNotRunning() {
            VmSpec off = running();
            clock.advance(Duration.ofHours(2));
            sim.powerOff(off.ref());
            VmSpec crashed = running();
            clock.advance(Duration.ofHours(2));
            sim.crash(crashed.name());
            VmSpec building = newSpec();
            sim.create(building);
            clock.advance(Duration.ofSeconds(60));
            assertThat(state(building.ref()).power()).isEqualTo(Power.BUILDING);
            for (VmSpec spec : List.of(building, off, crashed)) {
                UsageSample u = sim.usage(spec.ref());
                assertThat(u.cpuPercent()).as("CPU of %s (%s)", spec.name(), state(spec.ref()).power()).isZero();
                assertThat(u.memoryUsedMb()).as("memory of %s", spec.name()).isZero();
                assertThat(u.netBytes()).as("traffic of %s", spec.name()).isZero();
                assertThat(u.allocatedDiskGb()).isEqualTo(spec.storageGb());
            }
        }

        @Test
        @DisplayName("over days of running: within the plan, disk growing, traffic counting up")
        void plausibleOverTime() {
            VmSpec spec = running();
            UsageSample previous = sim.usage(spec.ref());
            for (int i = 0; i < 200; i++) {
                clock.advance(Duration.ofMinutes(37));
                UsageSample u = sim.usage(spec.ref());
                assertThat(u.cpuPercent()).isGreaterThan(0).isLessThanOrEqualTo(100);
                assertThat(u.memoryUsedMb()).isPositive().isLessThanOrEqualTo(spec.memoryMb());
                assertThat(u.diskUsedGb()).isNotNull().isBetween(previous.diskUsedGb(), (long) spec.storageGb());
                assertThat(u.netBytes()).isGreaterThan(previous.netBytes());
                previous = u;
            }
        }

        @Test
        @DisplayName("the traffic counter restarts at power-on; used disk is kept while off")
        void counterRestartsAtPowerOn() {
            VmSpec spec = running();
            clock.advance(Duration.ofDays(3));
            UsageSample before = sim.usage(spec.ref());
            sim.powerOff(spec.ref());
            assertThat(sim.usage(spec.ref()).diskUsedGb()).as("disk while off").isEqualTo(before.diskUsedGb());
            sim.start(spec.ref());
            settle(spec.ref());
            clock.advance(Duration.ofSeconds(10));
            UsageSample after = sim.usage(spec.ref());
            assertThat(after.netBytes()).isPositive().isLessThan(before.netBytes());
            assertThat(after.diskUsedGb()).isGreaterThanOrEqualTo(before.diskUsedGb());
        }

        @Test
        @DisplayName("a machine reset during its first boot uses resources once it runs")
        void resetDuringBootThenRunning() {
            VmSpec spec = newSpec();
            sim.create(spec);
            clock.advance(Duration.ofSeconds(30));
            sim.reset(spec.ref());
            assertThat(settle(spec.ref()).power()).isEqualTo(Power.RUNNING);
            clock.advance(Duration.ofMinutes(5));
            UsageSample u = sim.usage(spec.ref());
            assertThat(u.memoryUsedMb()).as("memory of a RUNNING machine").isPositive();
            assertThat(u.cpuPercent()).as("CPU of a RUNNING machine").isPositive();
            assertThat(u.netBytes()).as("traffic of a machine running for 5 minutes").isPositive();
        }
    }

    // ----------------------------------------------------------------------------------------

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
