package org.vpsd.client.wire;

/** The plan as embedded in a server of a list or a create response. */
public record PlanRef(long id, String name, int vcpus, int memory, int storage) {}
