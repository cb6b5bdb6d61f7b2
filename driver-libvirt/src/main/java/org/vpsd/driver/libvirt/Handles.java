package org.vpsd.driver.libvirt;

import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.Stream;

/** Frees native handles at once (the binding would only free them in {@code finalize()}). */
final class Handles {
    private Handles() {}

    /** Frees a Domain, StoragePool, StorageVol or Stream; null is fine. */
    static void free(Object handle) {
        try {
            switch (handle) {
                case null -> { }
                case Domain d -> d.free();
                case StoragePool p -> p.free();
                case StorageVol v -> v.free();
                case Stream s -> s.free();
                default -> throw new IllegalArgumentException("not a libvirt handle: " + handle.getClass());
            }
        } catch (LibvirtException e) {
            // nothing to do: the handle is gone either way
        }
    }
}
