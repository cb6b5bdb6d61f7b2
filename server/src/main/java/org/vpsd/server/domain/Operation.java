package org.vpsd.server.domain;

/**
 * A piece of work the engine does for one server: the status it holds while the work runs and the
 * resting status it reaches when the hypervisor is done. {@link #SUSPEND} powers a server off
 * because its account ran out of credit; the server shows {@code suspended} from the start.
 */
public enum Operation {
    PROVISION(Status.PROVISIONING, Status.ACTIVE),
    START(Status.STARTING, Status.ACTIVE),
    STOP(Status.STOPPING, Status.STOPPED),
    REBOOT(Status.REBOOTING, Status.ACTIVE),
    DELETE(Status.DELETING, Status.DELETED),
    SUSPEND(Status.SUSPENDED, Status.SUSPENDED);

    private final Status during;
    private final Status done;

    Operation(Status during, Status done) {
        this.during = during;
        this.done = done;
    }

    public Status during() {
        return during;
    }

    public Status done() {
        return done;
    }

    /** The operation whose transitional status is {@code status}. */
    public static Operation of(Status status) {
        for (Operation op : values()) {
            if (op.during == status && status.transitional()) {
                return op;
            }
        }
        throw new IllegalArgumentException("no operation runs in status " + status);
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Operation fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
