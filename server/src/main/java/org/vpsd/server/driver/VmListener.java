package org.vpsd.server.driver;

/** Told by a driver when a machine changed state without being asked (a guest that powered itself off). */
@FunctionalInterface
public interface VmListener {
    void changed(String vmName);
}
