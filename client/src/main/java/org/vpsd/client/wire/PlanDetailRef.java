package org.vpsd.client.wire;

/** The plan as embedded in a server's detail: adds {@code bandwidth} (GB per month). */
public record PlanDetailRef(long id, String name, int vcpus, int memory, int storage, int bandwidth) {}
