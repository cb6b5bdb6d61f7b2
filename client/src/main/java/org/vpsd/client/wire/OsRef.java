package org.vpsd.client.wire;

/** An operating system image as embedded in a server. */
public record OsRef(long id, String name) {}
