package org.vpsd.driver.libvirt;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.HypervisorException;
import org.vpsd.server.driver.Power;
import org.vpsd.server.driver.UsageSample;
import org.vpsd.server.driver.VmListener;
import org.vpsd.server.driver.VmNotFoundException;
import org.vpsd.server.driver.VmRef;
import org.vpsd.server.driver.VmSpec;
import org.vpsd.server.driver.VmState;

/**
 * The {@link Hypervisor} contract on QEMU/KVM hosts through libvirt. Each call is synchronous and
 * short: create defines and starts the domain and returns while the guest boots; shutdown and
 * reboot press the (ACPI) power button or ask the guest agent ({@code power-mode}); delete
 * destroys and undefines the domain and removes its volumes before it returns. Calls for one
 * machine are serialised within the process; across processes libvirt's own checks (a name is
 * defined once, a volume created once) make them idempotent.
 *
 * <p>{@code bootCount} is the domain's id (a new one at every power-on) times a million plus the
 * reboots and resets seen by this process (reboot events, and {@link #reset} itself).
 */
public final class LibvirtHypervisor implements Hypervisor {
    static final String NAME = "libvirt";
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtHypervisor.class);

    private final LibvirtOptions options;
    private final Events events = new Events();
    private final Connections connections;
    private final Volumes volumes;
    private final Usage usage;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Long> lastBoot = new ConcurrentHashMap<>();

    public LibvirtHypervisor(LibvirtOptions options) {
        this.options = options;
        this.connections = new Connections(options.keepalive(), events);
        this.volumes = new Volumes(options.pool());
        this.usage = new Usage(Clock.systemUTC(), options.agentTimeout());
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---------------------------------------------------------------------------------------
    // Plumbing.

    @FunctionalInterface
    private interface DomainCall<T> {
        T apply(Connect c, Domain d) throws LibvirtException;
    }

    private static String key(VmRef vm) {
        return vm.hostUri() + "\n" + vm.name();
    }

    /** Runs {@code call} on the named domain (freed afterwards), with the machine's lock held. */
    private <T> T onDomain(VmRef vm, String what, DomainCall<T> call) {
        if (vm.hostUri() == null) {
            throw new VmNotFoundException(vm.name()); // never placed on a host
        }
        ReentrantLock lock = locks.computeIfAbsent(key(vm), k -> new ReentrantLock());
        lock.lock();
        try {
            return connections.with(vm.hostUri(), c -> {
                Domain d = c.domainLookupByName(vm.name());
                try {
                    return call.apply(c, d);
                } finally {
                    Handles.free(d);
                }
            });
        } catch (LibvirtException e) {
            throw Errors.map(vm.name(), what, e);
        } finally {
            lock.unlock();
        }
    }

    private static boolean active(Domain d) throws LibvirtException {
        return d.isActive() == 1;
    }

    // ---------------------------------------------------------------------------------------
    // Creating and deleting.

    @Override
    public void create(VmSpec spec) {
        VmRef vm = spec.ref();
        ReentrantLock lock = locks.computeIfAbsent(key(vm), k -> new ReentrantLock());
        lock.lock();
        try {
            connections.with(vm.hostUri(), c -> {
                if (exists(c, vm.name())) {
                    return null;
                }
                long t0 = System.nanoTime();
                String overlay = volumes.overlay(c, spec);
                String seed = volumes.seed(c, vm.name(), new Seed(spec).iso(options.genisoimage()));
                DomainXml.Kernel kernel = volumes.kernel(c, spec.image());
                Domain d;
                try {
                    d = c.domainDefineXML(DomainXml.build(spec, options, overlay, seed, kernel));
                } catch (LibvirtException e) {
                    if (exists(c, vm.name())) {
                        return null; // another replica defined it first
                    }
                    throw e;
                }
                long t1 = System.nanoTime();
                try {
                    if (!active(d)) {
                        d.create();
                    }
                } finally {
                    Handles.free(d);
                }
                LOG.info("{} created on {}: volumes, seed and definition {} ms, virDomainCreate {} ms", vm.name(), vm.hostUri(),
                        (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
                return null;
            });
        } catch (LibvirtException e) {
            throw new HypervisorException("Creating " + vm.name() + " failed: " + Errors.message(e), e);
        } finally {
            lock.unlock();
        }
    }

    private static boolean exists(Connect c, String name) throws LibvirtException {
        try {
            Handles.free(c.domainLookupByName(name));
            return true;
        } catch (LibvirtException e) {
            if (Errors.noDomain(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void delete(VmRef vm) {
        if (vm.hostUri() == null) {
            return; // never placed on a host: nothing to remove
        }
        ReentrantLock lock = locks.computeIfAbsent(key(vm), k -> new ReentrantLock());
        lock.lock();
        try {
            connections.with(vm.hostUri(), c -> {
                Domain d = null;
                try {
                    d = c.domainLookupByName(vm.name());
                } catch (LibvirtException e) {
                    if (!Errors.noDomain(e)) {
                        throw e;
                    }
                }
                if (d != null) {
                    try {
                        if (active(d)) {
                            destroyQuietly(d);
                        }
                        d.undefine();
                    } catch (LibvirtException e) {
                        if (!Errors.noDomain(e)) {
                            throw e;
                        }
                    } finally {
                        Handles.free(d);
                    }
                }
                volumes.delete(c, vm.name());
                return null;
            });
            usage.forget(key(vm));
            lastBoot.remove(key(vm));
        } catch (LibvirtException e) {
            throw new HypervisorException("Deleting " + vm.name() + " failed: " + Errors.message(e), e);
        } finally {
            lock.unlock();
        }
    }

    /** Destroys a running domain; one that stopped meanwhile is fine. */
    private static void destroyQuietly(Domain d) throws LibvirtException {
        try {
            d.destroy();
        } catch (LibvirtException e) {
            if (!Errors.invalidState(e) || active(d)) {
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Power.

    @Override
    public void start(VmRef vm) {
        onDomain(vm, "Starting", (c, d) -> {
            if (!active(d)) {
                try {
                    d.create();
                } catch (LibvirtException e) {
                    if (!Errors.invalidState(e) || !active(d)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void shutdown(VmRef vm) {
        onDomain(vm, "Shutting down", (c, d) -> {
            if (active(d)) {
                try {
                    NativeExtras.shutdown(d, options.powerFlags());
                } catch (NativeExtras.NativeError e) {
                    // stopped meanwhile, or (agent mode) the agent is not up yet: a lost request, repeated by the caller
                    LOG.debug("Shutdown of {} not delivered: {}", vm.name(), e.getMessage());
                    // "Operation invalid: domain is not running": it went off between the check and the call,
                    // while libvirt may still report it active as it tears the QEMU process down (a CI run).
                    if (Errors.invalidState(e) || !active(d)) {
                        return null;
                    }
                    if (!"agent".equals(options.powerMode())) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void powerOff(VmRef vm) {
        onDomain(vm, "Powering off", (c, d) -> {
            if (active(d)) {
                destroyQuietly(d);
            }
            return null;
        });
    }

    @Override
    public void reboot(VmRef vm) {
        whileRunning(vm, "Rebooting", d -> {
            try {
                d.reboot(options.powerFlags());
            } catch (LibvirtException e) {
                if (!active(d) || !"agent".equals(options.powerMode())) {
                    throw e;
                }
                LOG.debug("Reboot of {} not delivered: {}", vm.name(), Errors.message(e));
            }
        });
    }

    @Override
    public void reset(VmRef vm) {
        whileRunning(vm, "Resetting", Domain::reset);
        events.countReboot(vm.hostUri(), vm.name());
    }

    @FunctionalInterface
    private interface RunningCall {
        void apply(Domain d) throws LibvirtException;
    }

    /** Runs {@code call} on a running domain; a domain that is off (before or during the call) is a HypervisorException. */
    private void whileRunning(VmRef vm, String what, RunningCall call) {
        onDomain(vm, what, (c, d) -> {
            if (!active(d)) {
                throw new HypervisorException("Machine " + vm.name() + " is not running");
            }
            try {
                call.apply(d);
            } catch (LibvirtException e) {
                if (!active(d)) {
                    throw new HypervisorException("Machine " + vm.name() + " is not running");
                }
                throw e;
            }
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------
    // Observing.

    @Override
    public Optional<VmState> state(VmRef vm) {
        if (vm.hostUri() == null) {
            return Optional.empty();
        }
        try {
            return connections.with(vm.hostUri(), c -> {
                Domain d;
                try {
                    d = c.domainLookupByName(vm.name());
                } catch (LibvirtException e) {
                    if (Errors.noDomain(e)) {
                        return Optional.<VmState>empty();
                    }
                    throw e;
                }
                try {
                    return Optional.of(stateOf(vm, d));
                } catch (LibvirtException e) {
                    if (Errors.noDomain(e)) {
                        return Optional.<VmState>empty();
                    }
                    throw e;
                } finally {
                    Handles.free(d);
                }
            });
        } catch (LibvirtException e) {
            throw new HypervisorException("Reading the state of " + vm.name() + " failed: " + Errors.message(e), e);
        }
    }

    private VmState stateOf(VmRef vm, Domain d) throws LibvirtException {
        DomainInfo info = d.getInfo();
        Power power = power(info.state);
        long boot;
        if (power.on()) {
            boot = d.getID() * 1_000_000L + events.reboots(vm.hostUri(), vm.name());
            lastBoot.put(key(vm), boot);
        } else {
            boot = lastBoot.getOrDefault(key(vm), 0L);
        }
        return new VmState(power, boot, null);
    }

    static Power power(DomainState s) {
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> Power.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_NOSTATE -> Power.STARTING;
            case VIR_DOMAIN_SHUTDOWN -> Power.SHUTTING_DOWN;
            case VIR_DOMAIN_CRASHED -> Power.CRASHED;
            default -> Power.SHUTOFF;
        };
    }

    @Override
    public UsageSample usage(VmRef vm) {
        return onDomain(vm, "Reading the usage", (c, d) -> {
            long allocated = volumes.allocation(c, vm.name());
            DomainInfo info = d.getInfo();
            if (!power(info.state).on()) {
                return usage.off(allocated);
            }
            return usage.running(key(vm), d, info, allocated);
        });
    }

    @Override
    public List<String> list(String hostUri) {
        if (hostUri == null) {
            return List.of();
        }
        try {
            return connections.with(hostUri, c -> {
                // Running domains, then defined (shut off) ones, then running ones again: a domain that starts
                // or stops between two of these calls is still in one of them.
                List<String> names = new ArrayList<>();
                addRunning(c, names);
                names.addAll(List.of(c.listDefinedDomains()));
                addRunning(c, names);
                return names.stream().distinct().sorted().toList();
            });
        } catch (LibvirtException e) {
            throw new HypervisorException("Listing the domains of " + hostUri + " failed: " + Errors.message(e), e);
        }
    }

    private static void addRunning(org.libvirt.Connect c, List<String> names) throws LibvirtException {
        for (int id : c.listDomains()) {
            try {
                Domain d = c.domainLookupByID(id);
                try {
                    names.add(d.getName());
                } finally {
                    Handles.free(d);
                }
            } catch (LibvirtException e) {
                if (!Errors.noDomain(e)) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void onChange(VmListener listener) {
        events.addListener(listener);
    }

    @Override
    public void close() {
        connections.close();
    }
}
