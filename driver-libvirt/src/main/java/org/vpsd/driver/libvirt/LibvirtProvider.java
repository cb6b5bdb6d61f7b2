package org.vpsd.driver.libvirt;

import org.vpsd.server.driver.DriverContext;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.HypervisorProvider;

/** Makes the {@link LibvirtHypervisor}: {@code --driver libvirt}, options from {@code --driver-option K=V}. */
public final class LibvirtProvider implements HypervisorProvider {
    @Override
    public String name() {
        return LibvirtHypervisor.NAME;
    }

    @Override
    public Hypervisor create(DriverContext context) {
        return new LibvirtHypervisor(LibvirtOptions.from(context.options()));
    }
}
