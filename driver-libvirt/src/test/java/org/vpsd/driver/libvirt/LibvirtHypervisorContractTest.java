package org.vpsd.driver.libvirt;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.HypervisorContract;
import org.vpsd.server.driver.VmSpec;

/**
 * The driver contract, kept by the libvirt driver against real QEMU guests on this machine
 * ({@code qemu:///system}, domain type qemu, the test bridge, the image prepared by
 * {@code scripts/libvirt/prepare-test-host.sh}). Run by {@code ./run-tests}' libvirt stage
 * ({@code -Dvpsd.libvirt.skip=false}); fails, never skips, when libvirt is not there.
 */
class LibvirtHypervisorContractTest extends HypervisorContract {
    private static final AtomicInteger ADDRESS = new AtomicInteger();

    @BeforeAll
    static void libvirtIsThere() {
        LibvirtTestHost.require();
    }

    /** The hosts' log files of this suite's guests (libvirt's and the serial consoles), which libvirt keeps. */
    @AfterAll
    static void removeGuestLogs() throws java.io.IOException {
        LibvirtTestHost.removeLogs("ct-");
    }

    @Override
    protected Hypervisor openHypervisor() {
        return new LibvirtHypervisor(LibvirtOptions.from(Map.of("pool", LibvirtTestHost.POOL)));
    }

    @Override
    protected VmSpec spec(String name) {
        int n = 200 + ADDRESS.getAndIncrement() % 50;
        return new VmSpec(name, LibvirtTestHost.URI, "qemu", LibvirtTestHost.BRIDGE, 1, 512, 2, LibvirtTestHost.IMAGE, name, null,
                new VmSpec.Address("10.77.0." + n, 24, "10.77.0.1"), new VmSpec.Address("fd00:10:77:0::" + n, 64, "fd00:10:77:0::1"),
                List.of("10.77.0.1"));
    }

    /** A first boot under TCG takes 15-60 s depending on the load; graceful requests wait for it. */
    @Override
    protected Duration transitionTimeout() {
        return Duration.ofSeconds(180);
    }

    @Override
    protected Duration forcedTimeout() {
        return Duration.ofSeconds(30);
    }

    /** Repeat a lost power-button press every 3 s, as the engine does every 5 s. */
    @Override
    protected Duration retryInterval() {
        return Duration.ofSeconds(3);
    }

    /** Guests under TCG share two cores: two at a time. */
    @Override
    protected int concurrency() {
        return 2;
    }
}
