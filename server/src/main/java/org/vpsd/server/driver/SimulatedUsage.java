package org.vpsd.server.driver;

import java.time.Duration;
import java.time.Instant;
import org.vpsd.server.store.SimStore.SimVm;

/**
 * Plausible usage for a simulated machine, derived from its name and its running time only, so
 * that every replica computes the same figures: each machine has its own base load, memory
 * footprint, disk growth and traffic rate; the load swings slowly around its base.
 */
final class SimulatedUsage {
    private static final double OS_DISK_GB = 2.0;

    private SimulatedUsage() {}

    /** A number in [0, 1) fixed for a machine and a purpose. */
    private static double trait(String name, int salt) {
        long h = name.hashCode() * 0x9E3779B97F4A7C15L + salt * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (h >>> 11) / (double) (1L << 53);
    }

    static UsageSample sample(SimVm vm, Instant now) {
        long runMillis = vm.runMillis();
        boolean running = vm.runningSince() != null;
        if (running) {
            runMillis += Math.max(0, Duration.between(vm.runningSince(), now).toMillis());
        }
        double hours = runMillis / 3_600_000.0;
        double growth = 0.02 + 0.3 * trait(vm.name(), 3);
        long disk = (long) Math.min(vm.storageGb() * 0.95, OS_DISK_GB + growth * hours);
        if (!running) {
            return new UsageSample(0, 0, disk, vm.storageGb(), 0, now);
        }
        double t = now.getEpochSecond() / 600.0 + trait(vm.name(), 4) * 2 * Math.PI;
        double base = 3 + 40 * trait(vm.name(), 1);
        double cpu = Math.max(0.1, Math.min(100, base * (1 + 0.5 * Math.sin(t))));
        double memShare = 0.25 + 0.45 * trait(vm.name(), 2);
        long memory = Math.min(vm.memoryMb(), Math.round(vm.memoryMb() * memShare * (1 + 0.05 * Math.sin(t / 3))));
        double bytesPerSecond = 20_000 + 2_000_000 * trait(vm.name(), 5);
        long sinceBoot = Math.max(0, Duration.between(vm.runningSince(), now).toMillis());
        long net = (long) (bytesPerSecond * sinceBoot / 1000.0);
        return new UsageSample(Math.round(cpu * 10) / 10.0, memory, disk, vm.storageGb(), net, now);
    }
}
