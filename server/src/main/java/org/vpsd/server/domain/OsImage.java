package org.vpsd.server.domain;

/**
 * An operating system customers can install. {@code image} tells the driver where the base image
 * is (for libvirt: a volume name in the host's storage pool); the simulated driver ignores it.
 */
public record OsImage(long id, String name, String image, boolean available) {}
