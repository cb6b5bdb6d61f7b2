package org.vpsd.server.api;

import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.driver.SimulatedHypervisor;
import org.vpsd.server.engine.Machines;

/**
 * Fault injection into the simulated hypervisor, under {@code /admin/v1/simulator/}: the next N
 * calls of an operation fail, a failure rate, guests that ignore ACPI, a guest that powers itself
 * off or crashes. Not found when vpsd runs another driver.
 */
final class SimulatorHandlers {
    private final SimulatedHypervisor sim;
    private final ServerService servers;
    private final Machines machines;

    SimulatorHandlers(SimulatedHypervisor sim, ServerService servers, Machines machines) {
        this.sim = sim;
        this.servers = servers;
        this.machines = machines;
    }

    private SimulatedHypervisor sim() {
        if (sim == null) {
            throw new ApiError(404, "The simulator is not in use: vpsd runs another driver.");
        }
        return sim;
    }

    void get(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("operations", SimulatedHypervisor.OPERATIONS);
        body.put("ignore_acpi", sim().ignoresAcpi());
        body.put("faults", sim().faults().stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("operation", f.operation());
            m.put("fail_next", f.failNext());
            m.put("failure_rate", f.failureRate());
            m.put("message", f.message());
            return m;
        }).toList());
        Respond.json(ctx, body);
    }

    void putFault(Context ctx) {
        String op = ctx.pathParam("operation");
        if (!SimulatedHypervisor.OPERATIONS.contains(op)) {
            throw new ApiError(404, "No such operation: " + op + ". One of " + SimulatedHypervisor.OPERATIONS + ".");
        }
        Fields f = new Fields(JsonBody.read(ctx)).only(Set.of("fail_next", "failure_rate", "message"), Set.of("operation"));
        Long failNext = f.integer("fail_next", true);
        var rate = f.decimal("failure_rate", true);
        String message = f.string("message", true);
        if (message != null && message.length() > 500) {
            f.errors().add("message", "Ensure this field has no more than 500 characters.");
        }
        if (failNext != null && (failNext < 0 || failNext > 1_000_000)) {
            f.errors().add("fail_next", "Ensure this value is between 0 and 1000000.");
        }
        if (rate != null && (rate.signum() < 0 || rate.compareTo(java.math.BigDecimal.ONE) > 0)) {
            f.errors().add("failure_rate", "Ensure this value is between 0 and 1.");
        }
        f.errors().throwIfAny();
        sim().setFault(op, failNext == null ? 0 : failNext.intValue(), rate == null ? 0 : rate.doubleValue(), message);
        get(ctx);
    }

    void clear(Context ctx) {
        sim().clearFaults();
        ctx.status(204);
    }

    void ignoreAcpi(Context ctx) {
        Fields f = new Fields(JsonBody.read(ctx)).only(Set.of("ignore"), Set.of());
        Boolean ignore = f.bool("ignore", false);
        if (ignore == null && !f.errors().has("ignore")) {
            f.errors().add("ignore", "This field is required.");
        }
        f.errors().throwIfAny();
        sim().setIgnoreAcpi(ignore);
        get(ctx);
    }

    void guestPowerOff(Context ctx) {
        guest(ctx, true);
    }

    void crash(Context ctx) {
        guest(ctx, false);
    }

    private void guest(Context ctx, boolean powerOff) {
        long id = PathIds.id(ctx, "id");
        servers.providerView(id);
        SimulatedHypervisor s = sim();
        try {
            if (powerOff) {
                s.guestPowerOff(machines.name(id));
            } else {
                s.crash(machines.name(id));
            }
        } catch (org.vpsd.server.driver.VmNotFoundException e) {
            throw new ApiError(409, "Server " + id + " has no machine yet.");
        }
        Respond.json(ctx.status(202), Map.of("detail", powerOff ? "The guest powered itself off." : "The guest crashed."));
    }
}
