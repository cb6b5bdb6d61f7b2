package org.vpsd.client.wire;

/** The short server inside an action body. */
public record ServerRef(long id, String name, String status) {}
