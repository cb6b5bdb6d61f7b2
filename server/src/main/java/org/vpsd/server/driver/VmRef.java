package org.vpsd.server.driver;

/** Names one machine: its name on the host, and the host's URI (a libvirt URI, or {@code sim:} for the simulator). */
public record VmRef(String name, String hostUri) {}
