package org.vpsd.server.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.vpsd.server.domain.Location;
import org.vpsd.server.domain.Repositories.Addresses.Allocated;
import org.vpsd.server.domain.Repositories.Addresses.Placement;
import org.vpsd.server.domain.Server;
import org.vpsd.server.driver.Observation;
import org.vpsd.server.driver.VmState;

/**
 * Provisioning: (0) take addresses from the location's pools and a place on a host with room;
 * (1) have the driver build and boot the machine, done if it already runs; (2) wait until it runs.
 */
final class ProvisionOp implements OperationHandler {
    private final Machines machines;

    ProvisionOp(Machines machines) {
        this.machines = machines;
    }

    @Override
    public StepResult step(Step s) {
        return switch (s.step()) {
            case 0 -> place(s);
            case 1 -> create(s);
            default -> waitRunning(s);
        };
    }

    /**
     * Addresses and a host, written together with the step's progress: a crash or a takeover keeps neither
     * or both. Where the store can, in one statement that commits by itself (PostgreSQL's usual case).
     */
    private StepResult place(Step s) {
        Server server = s.server;
        int vcpus = server.plan().vcpus();
        int memoryMb = server.plan().memoryMb();
        return s.go(1, s.cfg.provisionTimeout()).with(
                r -> placed(s, r.addresses().allocateBothAndPlace(server.id(), server.locationId(), server.hostId(), vcpus, memoryMb,
                        s.now())),
                (r, advance) -> r.addresses().placeAndAdvance(server.id(), server.locationId(), server.hostId(), vcpus, memoryMb, advance)
                        .map(placement -> placed(s, placement)));
    }

    /**
     * The server as placed, its addresses' ranges noted in the step's state. A host that has no room, or a
     * family without a free address, fails the step, and whatever was taken (addresses, a host's capacity)
     * is undone with the rest of the transaction.
     */
    private static Server placed(Step s, Placement placement) {
        Server server = s.server;
        if (placement.noHostWithRoom()) {
            throw new StepFailure("No host in " + server.locationCode() + " has room for a " + server.plan().name() + " server.");
        }
        Allocated v4 = Optional.ofNullable(placement.addresses().get(4))
                .orElseThrow(() -> new StepFailure("No free IPv4 address left in " + server.locationCode() + "."));
        Allocated v6 = Optional.ofNullable(placement.addresses().get(6))
                .orElseThrow(() -> new StepFailure("No free IPv6 address left in " + server.locationCode() + "."));
        // The machine's network, handed to the next step: building it needs no read of the ranges.
        noteRange(s, 4, v4.range());
        noteRange(s, 6, v6.range());
        return server.placed(v4.address(), v6.address(), placement.hostId());
    }

    /** Notes the range of the server's address of {@code family} in the step's state: "CIDR GATEWAY DNS,DNS" ("-" for none). */
    private static void noteRange(Step s, int family, Location.AddressRange range) {
        if (range != null) {
            s.put("net" + family, range.cidr() + " " + Objects.requireNonNullElse(range.gateway(), "-") + " "
                    + (range.dns().isEmpty() ? "-" : String.join(",", range.dns())));
        }
    }

    /**
     * The ranges noted by {@link #noteRange} in a step's state ({@code state}: its value of a key), by the
     * server's address; a family not noted is left out.
     */
    static Map<String, Location.AddressRange> notedRanges(Server server, java.util.function.Function<String, String> state) {
        Map<String, Location.AddressRange> known = new HashMap<>();
        for (int family : new int[] {4, 6}) {
            String address = family == 4 ? server.ipv4() : server.ipv6();
            String noted = state.apply("net" + family);
            String[] parts = noted == null ? new String[0] : noted.split(" ");
            if (address != null && parts.length == 3) {
                known.put(address, new Location.AddressRange(family, parts[0], parts[1].equals("-") ? null : parts[1],
                        parts[2].equals("-") ? List.of() : List.of(parts[2].split(","))));
            }
        }
        return known;
    }

    private StepResult create(Step s) {
        // The server as the step before left it (placed, committed); read only for what the step did not note.
        Map<String, Location.AddressRange> known = notedRanges(s.server, s::get);
        var spec = machines.specWithoutRead(s.server, known).orElseGet(() -> s.tx.read(r -> machines.spec(r, s.server, known)));
        s.hv.create(spec);
        // A machine is usually running once created: look at once, rather than in a step (and a transaction) of its own.
        return observe(s, 2);
    }

    private StepResult waitRunning(Step s) {
        return observe(s, s.step());
    }

    /**
     * Done if the machine runs (with the usage sample the same look gave, the server's first figures);
     * else wait for it in step {@code waitStep} (or build it again if it is gone).
     */
    private StepResult observe(Step s, int waitStep) {
        Optional<Observation> seen = s.hv.observe(s.vm);
        if (seen.isEmpty()) {
            // Gone (removed behind vpsd's back): built again, within the same deadline.
            return s.pastDeadline() ? timedOut(s) : s.next(1);
        }
        VmState st = seen.get().state();
        switch (st.power()) {
            case RUNNING:
                return new StepResult.Done("Provisioned: the server is running.", seen.get().usage());
            case CRASHED:
                return new StepResult.Failed("The virtual machine crashed during its first boot.");
            case SHUTOFF:
                s.hv.start(s.vm);
                break;
            default:
                break;
        }
        return s.pastDeadline() ? timedOut(s) : s.waitFor(waitStep, st);
    }

    private static StepResult timedOut(Step s) {
        return new StepResult.Failed("Provisioning did not finish within " + s.cfg.provisionTimeout().toSeconds() + " seconds.");
    }
}
