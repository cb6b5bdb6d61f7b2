package org.vpsd.server.driver;

import java.util.List;
import java.util.Optional;

/**
 * What vpsd needs from whatever runs virtual machines: the contract every driver keeps, and that
 * one test suite ({@code HypervisorContract}) checks against every driver.
 *
 * <p>The engine calls these methods from durable work that may be interrupted at any point (a
 * process killed, a replica taking over) and run again. So each method is <b>idempotent</b> as
 * stated below, and each <b>returns without waiting for the guest</b>: power changes are requested
 * here and observed through {@link #state}. Methods are called from many threads at once, most of
 * them virtual threads: a driver whose calls wait in native code (JNI, JNA, foreign functions) makes
 * those calls on platform threads of its own, because a virtual thread in native code holds its
 * carrier thread, and vpsd answers the API on those few carriers too (the libvirt driver's
 * {@code Connections}).
 *
 * <p>Failures: {@link VmNotFoundException} when the named machine does not exist (only where a
 * method says so); {@link HypervisorException} for anything else, which the engine retries with
 * backoff. No method returns normally without having done what it says.
 */
public interface Hypervisor extends AutoCloseable {

    /** The driver's name, as {@code --driver} takes it. */
    String name();

    /**
     * Defines the machine, creates its disk as a copy-on-write overlay of {@code spec.image()}
     * grown to {@code spec.storageGb()}, builds its first-boot seed (hostname, SSH key, static
     * addresses) and powers it on. Returns once the boot has begun; {@link #state} reports
     * {@link Power#BUILDING} or {@link Power#RUNNING} after that.
     *
     * <p>Idempotent: if a machine of this name exists already, whatever its power state, nothing
     * happens (a half-done earlier create is completed, never duplicated).
     */
    void create(VmSpec spec);

    /**
     * Powers on a machine that is off. Running or starting already: nothing happens.
     *
     * @throws VmNotFoundException if there is no such machine
     */
    void start(VmRef vm);

    /**
     * Asks the guest to shut down, as pressing the power button does (ACPI). The guest may ignore
     * the request, for example while it is still booting: callers repeat it and fall back to
     * {@link #powerOff} after a timeout. Off already: nothing happens.
     *
     * @throws VmNotFoundException if there is no such machine
     */
    void shutdown(VmRef vm);

    /**
     * Cuts the power at once, like pulling the plug. Off already: nothing happens.
     *
     * @throws VmNotFoundException if there is no such machine
     */
    void powerOff(VmRef vm);

    /**
     * Asks the guest to reboot (ACPI). The guest may ignore it; once it has restarted,
     * {@link VmState#bootCount()} differs from its value before the request. Callers fall back to
     * {@link #reset} after a timeout.
     *
     * @throws VmNotFoundException if there is no such machine
     * @throws HypervisorException if the machine is not running
     */
    void reboot(VmRef vm);

    /**
     * Resets the machine at once, like the reset button; {@link VmState#bootCount()} changes.
     *
     * @throws VmNotFoundException if there is no such machine
     * @throws HypervisorException if the machine is not running
     */
    void reset(VmRef vm);

    /**
     * Destroys the machine and removes its definition, disk and seed. Succeeds if the machine is
     * already gone (also if it never existed). The removal may finish in the background:
     * {@link #state} returns empty once nothing is left.
     */
    void delete(VmRef vm);

    /** The machine's state, or empty when no such machine exists (any more). */
    Optional<VmState> state(VmRef vm);

    /**
     * A sample of what the machine uses. For a machine that is off: zero CPU and memory.
     *
     * @throws VmNotFoundException if there is no such machine
     */
    UsageSample usage(VmRef vm);

    /**
     * The machine's state and, when it is running, a usage sample; empty when no such machine exists.
     * The usage is null when the machine is not running, or when it could not be read (the state is
     * still returned). The default asks {@link #state} and then {@link #usage}; a driver that sees both
     * in one look (the simulator reads one row) answers with that look.
     */
    default Optional<Observation> observe(VmRef vm) {
        Optional<VmState> state = state(vm);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        UsageSample usage = null;
        if (state.get().power() == Power.RUNNING) {
            try {
                usage = usage(vm);
            } catch (HypervisorException e) {
                usage = null;
            }
        }
        return Optional.of(new Observation(state.get(), usage));
    }

    /** The names of all machines this driver manages on the host at {@code hostUri}. */
    List<String> list(String hostUri);

    /** The state of every machine on the host at {@code hostUri}, by name (for reconciliation). */
    default java.util.Map<String, VmState> states(String hostUri) {
        java.util.Map<String, VmState> out = new java.util.HashMap<>();
        for (String name : list(hostUri)) {
            state(new VmRef(name, hostUri)).ifPresent(s -> out.put(name, s));
        }
        return out;
    }

    /**
     * The host URI for servers of a location that lists no hosts, or null if this driver needs
     * every location to list its hosts.
     */
    default String defaultHostUri(String locationCode) {
        return null;
    }

    /** Registers who to tell when a machine changes state on its own (a guest powering off). */
    default void onChange(VmListener listener) {}

    /** Releases connections and threads. */
    @Override
    default void close() {}
}
