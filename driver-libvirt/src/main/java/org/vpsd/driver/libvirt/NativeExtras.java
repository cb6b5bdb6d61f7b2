package org.vpsd.driver.libvirt;

import com.sun.jna.Native;
import com.sun.jna.PointerType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.libvirt.Domain;
import org.libvirt.StorageVol;
import org.libvirt.Stream;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;
import org.vpsd.server.driver.HypervisorException;

/**
 * The two libvirt calls the Java binding 0.5.2 lacks: {@code virStorageVolUpload} (a seed's
 * bytes into its volume, through the storage API, so that remote hosts work too) and
 * {@code virDomainShutdownFlags} (ACPI or agent shutdown on purpose). They take the native
 * handles of the binding's objects, which the binding keeps package-private.
 */
final class NativeExtras {
    interface Api extends com.sun.jna.Library {
        int virStorageVolUpload(PointerType vol, PointerType stream, long offset, long length, int flags);

        int virDomainShutdownFlags(PointerType domain, int flags);
    }

    private static final Api API = Native.load("virt", Api.class);
    private static final Field VOL_POINTER = field(StorageVol.class, "vsvp");
    private static final Field DOMAIN_POINTER = field(Domain.class, "vdp");
    private static final Method STREAM_POINTER = method(Stream.class, "getVsp");
    private static final Method DEREGISTER = method(org.libvirt.Connect.class, "domainEventDeregister", int.class,
            org.libvirt.event.EventListener.class);
    /** VIR_DOMAIN_EVENT_ID_REBOOT */
    private static final int EVENT_REBOOT = 1;

    private NativeExtras() {}

    private static Field field(Class<?> c, String name) {
        try {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static Method method(Class<?> c, String name, Class<?>... params) {
        try {
            Method m = c.getDeclaredMethod(name, params);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Prepares {@code stream} to carry {@code length} bytes into {@code vol} from offset 0. */
    static void upload(StorageVol vol, Stream stream, long length) {
        try {
            check(API.virStorageVolUpload((PointerType) VOL_POINTER.get(vol), (PointerType) STREAM_POINTER.invoke(stream), 0, length, 0),
                    "virStorageVolUpload");
        } catch (ReflectiveOperationException e) {
            throw new HypervisorException("libvirt binding: " + e, e);
        }
    }

    static void shutdown(Domain domain, int flags) {
        try {
            check(API.virDomainShutdownFlags((PointerType) DOMAIN_POINTER.get(domain), flags), "virDomainShutdownFlags");
        } catch (ReflectiveOperationException e) {
            throw new HypervisorException("libvirt binding: " + e, e);
        }
    }

    /** The binding can add a reboot listener but not remove one: its private deregistration does. */
    static void removeRebootListener(org.libvirt.Connect conn, org.libvirt.event.RebootListener listener) {
        try {
            DEREGISTER.invoke(conn, EVENT_REBOOT, listener);
        } catch (ReflectiveOperationException e) {
            throw new HypervisorException("libvirt binding: " + e, e);
        }
    }

    /** A failed call: the thread's last libvirt error, as a {@link NativeError} carrying its code. */
    private static void check(int rc, String call) {
        if (rc >= 0) {
            return;
        }
        virError err = Libvirt.INSTANCE.virGetLastError();
        throw new NativeError(call + ": " + (err == null ? "failed" : err.message), err == null ? 0 : err.code);
    }

    /** A libvirt error from one of these calls; {@code code} is libvirt's error number. */
    static final class NativeError extends HypervisorException {
        final int code;

        NativeError(String message, int code) {
            super(message);
            this.code = code;
        }
    }
}
