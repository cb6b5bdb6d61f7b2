package org.vpsd.server.driver;

import org.vpsd.server.store.SimStore;

/** Makes the {@link SimulatedHypervisor}: {@code --driver simulated}, the default. */
public final class SimulatedHypervisorProvider implements HypervisorProvider {
    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public Hypervisor create(DriverContext context) {
        return new SimulatedHypervisor(new SimStore(context.database()), context.clock(), context.timeScale());
    }
}
