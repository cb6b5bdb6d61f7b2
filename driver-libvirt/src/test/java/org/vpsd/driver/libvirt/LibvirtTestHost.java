package org.vpsd.driver.libvirt;

import static org.assertj.core.api.Assertions.fail;

import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/** The test host: this machine's libvirt, as scripts/libvirt/prepare-test-host.sh prepares it. */
final class LibvirtTestHost {
    static final String URI = System.getProperty("vpsd.libvirt.uri", "qemu:///system");
    static final String POOL = System.getProperty("vpsd.libvirt.pool", "vpsd");
    static final String BRIDGE = System.getProperty("vpsd.libvirt.bridge", "br-vpsdtest");
    static final String IMAGE = "debian-12.qcow2";

    private LibvirtTestHost() {}

    /** Fails (never skips) unless libvirt answers and the pool holds the image. */
    static void require() {
        try {
            Connections.startEventLoop();
            Connect c = new Connect(URI, false);
            try {
                StoragePool p = c.storagePoolLookupByName(POOL);
                try {
                    p.refresh(0);
                    p.storageVolLookupByName(IMAGE).free();
                } finally {
                    p.free();
                }
            } finally {
                c.close();
            }
        } catch (LibvirtException | RuntimeException | LinkageError e) {
            fail("libvirt is not ready at " + URI + " (pool " + POOL + ", image " + IMAGE + "): " + e
                    + "; run scripts/libvirt/prepare-test-host.sh as root");
        }
    }

    /** Removes libvirt's per-domain log files (this machine's) of domains whose names start with {@code prefix}. */
    static void removeLogs(String prefix) throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("/var/log/libvirt/qemu");
        if (!java.nio.file.Files.isDirectory(dir)) {
            return;
        }
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                java.nio.file.Files.deleteIfExists(f);
            }
        }
    }
}
