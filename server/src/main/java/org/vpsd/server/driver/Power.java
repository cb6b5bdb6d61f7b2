package org.vpsd.server.driver;

/** The power state of a machine, as a driver can observe it. */
public enum Power {
    /** Created, its first boot not yet done. */
    BUILDING,
    /** Powered on and not in the middle of anything the driver can see. */
    RUNNING,
    /** Powering on from off. */
    STARTING,
    /** The guest is shutting down after a request. */
    SHUTTING_DOWN,
    /** The guest is rebooting after a request. */
    REBOOTING,
    /** Powered off. */
    SHUTOFF,
    /** The guest crashed or the machine stopped on an error. */
    CRASHED;

    /** On, whatever it is doing. */
    public boolean on() {
        return this != SHUTOFF && this != CRASHED;
    }
}
