package org.vpsd.server.driver;

/**
 * Makes a {@link Hypervisor}. Drivers are found with {@link java.util.ServiceLoader}: a driver jar
 * lists its provider in {@code META-INF/services/org.vpsd.server.driver.HypervisorProvider}.
 */
public interface HypervisorProvider {
    /** The name {@code --driver} selects this driver by. */
    String name();

    Hypervisor create(DriverContext context);
}
