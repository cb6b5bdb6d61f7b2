package org.vpsd.server.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.domain.Location;
import org.vpsd.server.domain.Operation;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Transactor;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.Power;
import org.vpsd.server.driver.VmState;

/**
 * Compares what vpsd believes with what the hosts run, for servers with no operation under way:
 * a machine that powered itself off makes its server {@code stopped}; one that runs while its
 * server is {@code stopped} makes it {@code active}; a suspended server's running machine is
 * powered off again; a server whose machine vanished goes to {@code error} with the reason. A
 * machine no server owns is reported, never deleted.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final int BATCH = 1000;

    private final Transactor tx;
    private final Hypervisor hv;
    private final Machines machines;
    private final Clock clock;
    private final Map<String, String> unknown = new ConcurrentHashMap<>();

    public Reconciler(Transactor tx, Hypervisor hv, Machines machines, Clock clock) {
        this.tx = tx;
        this.hv = hv;
        this.machines = machines;
        this.clock = clock;
    }

    /** Machines found on hosts that no server owns, by name, with their host. */
    public Map<String, String> unknownMachines() {
        return Map.copyOf(unknown);
    }

    /** One pass over every host and every resting server; returns the number of servers corrected. */
    public int reconcile() {
        Map<String, Map<String, VmState>> hosts = new HashMap<>();
        for (String uri : hostUris()) {
            hosts.put(uri, hv.states(uri));
        }
        int corrected = 0;
        long after = 0;
        while (true) {
            long from = after;
            List<Server> batch = tx.read(r -> r.servers().restingIn(
                    List.of(Status.ACTIVE, Status.STOPPED, Status.SUSPENDED, Status.ERROR), from, BATCH));
            if (batch.isEmpty()) {
                break;
            }
            for (Server s : batch) {
                if (s.provisionedAt() == null) {
                    continue;
                }
                var ref = tx.read(r -> machines.ref(r, s));
                Map<String, VmState> states = hosts.computeIfAbsent(ref.hostUri(), hv::states);
                VmState seen = states.get(ref.name());
                if (!consistent(s, seen)) {
                    // The listing was taken before this server was read, and a machine changing state while a
                    // host is listed can be missed; so nothing is corrected without a fresh look at the machine.
                    seen = hv.state(ref).orElse(null);
                    if (check(s, seen)) {
                        corrected++;
                    }
                }
            }
            after = batch.get(batch.size() - 1).id();
        }
        reportUnknown(hosts);
        return corrected;
    }

    /** Machines whose name is not that of a server that exists (in any status but deleted) are reported. */
    private void reportUnknown(Map<String, Map<String, VmState>> hosts) {
        Map<String, String> found = new HashMap<>();
        hosts.forEach((uri, states) -> states.keySet().forEach(name -> found.put(name, uri)));
        Set<Long> claimed = new HashSet<>();
        found.keySet().forEach(name -> machines.serverId(name).ifPresent(claimed::add));
        Set<Long> live = tx.read(r -> r.servers().existing(claimed));
        Map<String, String> orphans = new HashMap<>();
        found.forEach((name, uri) -> {
            if (machines.serverId(name).filter(live::contains).isEmpty()) {
                orphans.put(name, uri);
            }
        });
        orphans.forEach((name, uri) -> {
            if (unknown.putIfAbsent(name, uri) == null) {
                LOG.warn("Machine {} on {} belongs to no server vpsd knows; it is left alone.", name, uri);
            }
        });
        unknown.keySet().retainAll(orphans.keySet());
    }

    private Set<String> hostUris() {
        List<Location> locations = tx.read(r -> r.catalog().locations());
        Set<String> uris = new HashSet<>();
        for (Location l : locations) {
            if (l.hosts().isEmpty()) {
                String uri = hv.defaultHostUri(l.code());
                if (uri != null) {
                    uris.add(uri);
                }
            } else {
                l.hosts().stream().filter(Location.Host::enabled).forEach(h -> uris.add(h.uri()));
            }
        }
        return uris;
    }

    /** The status a server is corrected to, why, and the work that goes with it. */
    private record Correction(Status to, String why, Operation work) {}

    /** Whether a resting server's status agrees with its machine's state (null: no machine). */
    private static boolean consistent(Server s, VmState vm) {
        return correction(s, vm).isEmpty();
    }

    /** What a resting server needs to agree with its machine (null: no machine); empty if they agree. */
    private static java.util.Optional<Correction> correction(Server s, VmState vm) {
        if (vm == null) {
            return s.status() == Status.ERROR ? java.util.Optional.empty()
                    : java.util.Optional.of(new Correction(Status.ERROR, "The virtual machine vanished from its host.", null));
        }
        Power p = vm.power();
        Correction c = switch (s.status()) {
            case ACTIVE -> p == Power.SHUTOFF ? new Correction(Status.STOPPED, "The guest powered itself off.", null)
                    : p == Power.CRASHED ? new Correction(Status.STOPPED, "The guest crashed and is off.", null) : null;
            case STOPPED -> p == Power.RUNNING ? new Correction(Status.ACTIVE, "The machine was powered on outside vpsd.", null) : null;
            case SUSPENDED -> p.on() ? new Correction(Status.SUSPENDED, "A suspended server was running; powering it off.",
                    Operation.SUSPEND) : null;
            default -> null;
        };
        return java.util.Optional.ofNullable(c);
    }

    /** Corrects one server from its machine's state (null: no machine); true if it changed. */
    boolean check(Server s, VmState vm) {
        return correction(s, vm).map(c -> correct(s, c.to(), c.why(), c.work())).orElse(false);
    }

    private boolean correct(Server s, Status to, String why, Operation work) {
        Instant now = clock.instant();
        boolean changed = tx.inTransaction(r -> {
            if (r.servers().lock(s.id()).filter(st -> st == s.status()).isEmpty() || r.tasks().find(s.id()).isPresent()) {
                return false;
            }
            r.servers().setStatus(s.id(), to, to == Status.ERROR ? why : s.statusDetail(), now);
            if (work != null) {
                r.tasks().insert(s.id(), work, now, now);
            }
            r.events().append(s.id(), "reconciled", why, now);
            return true;
        });
        if (changed) {
            LOG.info("Server {}: {} -> {}: {}", s.id(), s.status().wire(), to.wire(), why);
        }
        return changed;
    }

    /** Checks one server now (its machine changed on its own). */
    public void checkOne(long serverId) {
        tx.read(r -> r.servers().find(serverId)).filter(s -> s.provisionedAt() != null).ifPresent(s -> {
            if (tx.read(r -> r.tasks().find(serverId)).isPresent()) {
                return;
            }
            var ref = tx.read(r -> machines.ref(r, s));
            check(s, hv.state(ref).orElse(null));
        });
    }
}
