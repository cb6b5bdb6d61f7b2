package org.vpsd.server.driver;

/**
 * Names one machine: its name on the host, and the host's URI (a libvirt URI, or {@code sim:} for the
 * simulator). A null host URI names a machine of a server that was never placed on a host: there is
 * no such machine ({@link Hypervisor#state} empty, {@link Hypervisor#delete} nothing to do).
 */
public record VmRef(String name, String hostUri) {}
