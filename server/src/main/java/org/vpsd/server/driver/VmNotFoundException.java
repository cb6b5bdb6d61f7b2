package org.vpsd.server.driver;

/** The named machine does not exist on its host. */
public class VmNotFoundException extends HypervisorException {
    public VmNotFoundException(String name) {
        super("No virtual machine named " + name);
    }
}
