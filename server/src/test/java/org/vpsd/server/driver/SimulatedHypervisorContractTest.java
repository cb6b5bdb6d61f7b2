package org.vpsd.server.driver;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.store.Database;
import org.vpsd.server.store.SimStore;
import org.vpsd.server.testing.TestDatabase;

/**
 * The driver contract, kept by the simulated hypervisor: on a fresh database per test (embedded H2
 * in a temporary directory, or a PostgreSQL schema when {@code vpsd.test.database} names one), with
 * the real clock, 2000 times faster than real time (a first boot takes 60 to 150 ms).
 */
class SimulatedHypervisorContractTest extends HypervisorContract {
    static final double TIME_SCALE = 2000;

    @TempDir
    Path dir;

    private TestDatabase testDatabase;
    private Database database;

    @Override
    protected Hypervisor openHypervisor() {
        testDatabase = TestDatabase.create(dir);
        String url = testDatabase.url() != null ? testDatabase.url() : Database.h2Url(dir);
        database = Database.open(url, 16, "sim-contract");
        return new SimulatedHypervisor(new SimStore(database), Clock.systemUTC(), TIME_SCALE);
    }

    @Override
    protected void closeHypervisor(Hypervisor hypervisor) {
        try {
            hypervisor.close();
        } finally {
            database.close();
            testDatabase.drop();
        }
    }

    @Override
    protected VmSpec spec(String name) {
        return new VmSpec(name, "sim:contract", "kvm", "br0", 1, 1024, 20, "debian-12", name, null,
                new VmSpec.Address("192.0.2.10", 24, "192.0.2.1"), new VmSpec.Address("2001:db8::10", 64, "2001:db8::1"),
                List.of("192.0.2.53"));
    }

    /** Ten seconds: the slowest simulated transition (a 300 s first boot) takes 150 ms at this scale. */
    @Override
    protected Duration transitionTimeout() {
        return Duration.ofSeconds(10);
    }

    @Override
    protected String otherHostUri() {
        return "sim:elsewhere";
    }
}
