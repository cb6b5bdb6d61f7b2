package org.vpsd.driver.libvirt;

import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.vpsd.server.driver.HypervisorException;
import org.vpsd.server.driver.VmNotFoundException;

/** libvirt's errors in the contract's terms: no such domain is {@link VmNotFoundException}, anything else {@link HypervisorException}. */
final class Errors {
    private Errors() {}

    static ErrorNumber code(LibvirtException e) {
        return e.getError() == null ? null : e.getError().getCode();
    }

    static boolean noDomain(LibvirtException e) {
        return code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    static boolean noVolume(LibvirtException e) {
        return code(e) == ErrorNumber.VIR_ERR_NO_STORAGE_VOL;
    }

    /** "domain is not running", "domain is already running" and the like. */
    static boolean invalidState(LibvirtException e) {
        return code(e) == ErrorNumber.VIR_ERR_OPERATION_INVALID;
    }

    /** The same for a call made through {@link NativeExtras} (libvirt's number; the binding's enum is in its order). */
    static boolean invalidState(NativeExtras.NativeError e) {
        return e.code == ErrorNumber.VIR_ERR_OPERATION_INVALID.ordinal();
    }

    static String message(LibvirtException e) {
        return e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : String.valueOf(e.getMessage());
    }

    static HypervisorException map(String vm, String what, LibvirtException e) {
        if (noDomain(e)) {
            return new VmNotFoundException(vm);
        }
        return new HypervisorException(what + " of " + vm + " failed: " + message(e), e);
    }
}
