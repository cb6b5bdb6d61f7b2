package org.vpsd.driver.libvirt;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.Stream;
import org.vpsd.server.driver.HypervisorException;
import org.vpsd.server.driver.VmSpec;

/**
 * A server's volumes in the host's storage pool, through libvirt's storage API only (so that a
 * remote host works as a local one): {@code NAME.qcow2}, a qcow2 overlay whose backing store is
 * the OS image's base volume, with the plan's capacity; {@code NAME-seed.iso}, the NoCloud seed,
 * uploaded through a stream. An image's kernel and initrd for direct kernel boot are the volumes
 * {@code STEM.vmlinux} (or {@code STEM.vmlinuz}) and {@code STEM.initrd.img} beside the base
 * volume {@code STEM.qcow2}.
 */
final class Volumes {
    private static final Pattern FORMAT = Pattern.compile("<format\\s+type='([^']+)'");
    private static final long GIB = 1L << 30;

    private final String poolName;

    Volumes(String poolName) {
        this.poolName = poolName;
    }

    static String overlayName(String vm) {
        return vm + ".qcow2";
    }

    static String seedName(String vm) {
        return vm + "-seed.iso";
    }

    /** A call with the pool open. */
    @FunctionalInterface
    interface PoolCall<T> {
        T apply(StoragePool pool) throws LibvirtException;
    }

    <T> T withPool(Connect c, PoolCall<T> call) throws LibvirtException {
        StoragePool pool;
        try {
            pool = c.storagePoolLookupByName(poolName);
        } catch (LibvirtException e) {
            throw new HypervisorException("Storage pool " + poolName + " on " + c.getURI() + ": " + Errors.message(e), e);
        }
        try {
            return call.apply(pool);
        } finally {
            Handles.free(pool);
        }
    }

    /** The volume, or null if the pool has none of that name. */
    private static StorageVol find(StoragePool pool, String name) throws LibvirtException {
        try {
            return pool.storageVolLookupByName(name);
        } catch (LibvirtException e) {
            if (Errors.noVolume(e)) {
                return null;
            }
            throw e;
        }
    }

    private static String path(StoragePool pool, String name) throws LibvirtException {
        StorageVol v = find(pool, name);
        try {
            return v == null ? null : v.getPath();
        } finally {
            Handles.free(v);
        }
    }

    /** The base volume, looked up again after a pool refresh (images copied into the pool's directory). */
    private StorageVol base(StoragePool pool, String image) throws LibvirtException {
        StorageVol v = find(pool, image);
        if (v == null) {
            pool.refresh(0);
            v = find(pool, image);
        }
        if (v == null) {
            throw new HypervisorException("The OS image " + image + " is not a volume of storage pool " + poolName);
        }
        return v;
    }

    /** Creates the overlay unless it exists; returns its path. */
    String overlay(Connect c, VmSpec spec) throws LibvirtException {
        return withPool(c, pool -> {
            String existing = path(pool, overlayName(spec.name()));
            if (existing != null) {
                return existing;
            }
            StorageVol base = base(pool, spec.image());
            try {
                String baseXml = base.getXMLDesc(0);
                Matcher m = FORMAT.matcher(baseXml);
                String format = m.find() ? m.group(1) : "qcow2";
                long capacity = Math.max((long) spec.storageGb() * GIB, base.getInfo().capacity);
                String xml = "<volume><name>" + DomainXml.esc(overlayName(spec.name())) + "</name>"
                        + "<capacity unit='bytes'>" + capacity + "</capacity>"
                        + "<target><format type='qcow2'/></target>"
                        + "<backingStore><path>" + DomainXml.esc(base.getPath()) + "</path><format type='" + format + "'/></backingStore>"
                        + "</volume>";
                StorageVol v = pool.storageVolCreateXML(xml, 0);
                try {
                    return v.getPath();
                } finally {
                    Handles.free(v);
                }
            } finally {
                Handles.free(base);
            }
        });
    }

    /** Writes the seed volume (replacing any earlier one); returns its path. */
    String seed(Connect c, String vm, byte[] iso) throws LibvirtException {
        return withPool(c, pool -> {
            deleteIfPresent(pool, seedName(vm));
            String xml = "<volume><name>" + DomainXml.esc(seedName(vm)) + "</name><capacity unit='bytes'>" + iso.length
                    + "</capacity><target><format type='raw'/></target></volume>";
            StorageVol v = pool.storageVolCreateXML(xml, 0);
            Stream s = null;
            try {
                s = c.streamNew(0);
                NativeExtras.upload(v, s, iso.length);
                int off = 0;
                while (off < iso.length) {
                    byte[] chunk = java.util.Arrays.copyOfRange(iso, off, Math.min(iso.length, off + 256 * 1024));
                    int sent = s.send(chunk);
                    if (sent <= 0) {
                        throw new HypervisorException("Uploading the seed of " + vm + " stalled at byte " + off);
                    }
                    off += sent;
                }
                s.finish();
                return v.getPath();
            } catch (RuntimeException | LibvirtException e) {
                if (s != null) {
                    try {
                        s.abort();
                    } catch (LibvirtException ignored) {
                        // the upload failed already
                    }
                }
                throw e;
            } finally {
                Handles.free(s);
                Handles.free(v);
            }
        });
    }

    /** The image's kernel and initrd volumes, or null when it has none (the disk boots by itself). */
    DomainXml.Kernel kernel(Connect c, String image) throws LibvirtException {
        String stem = image.replaceFirst("\\.(qcow2|img|raw)$", "");
        return withPool(c, pool -> {
            String kernel = path(pool, stem + ".vmlinux");
            if (kernel == null) {
                kernel = path(pool, stem + ".vmlinuz");
            }
            return kernel == null ? null : new DomainXml.Kernel(kernel, path(pool, stem + ".initrd.img"));
        });
    }

    /** Removes the overlay and the seed; volumes already gone are fine. */
    void delete(Connect c, String vm) throws LibvirtException {
        withPool(c, pool -> {
            deleteIfPresent(pool, overlayName(vm));
            deleteIfPresent(pool, seedName(vm));
            return null;
        });
    }

    private static void deleteIfPresent(StoragePool pool, String name) throws LibvirtException {
        StorageVol v = find(pool, name);
        if (v == null) {
            return;
        }
        try {
            v.delete(0);
        } catch (LibvirtException e) {
            if (!Errors.noVolume(e)) {
                throw e;
            }
        } finally {
            Handles.free(v);
        }
    }

    /** Bytes the overlay takes on the host, or 0 if it is missing. */
    long allocation(Connect c, String vm) throws LibvirtException {
        return withPool(c, pool -> {
            StorageVol v = find(pool, overlayName(vm));
            try {
                return v == null ? 0L : v.getInfo().allocation;
            } finally {
                Handles.free(v);
            }
        });
    }
}
