package org.vpsd.server.domain;

import static org.vpsd.server.domain.Action.DELETE;
import static org.vpsd.server.domain.Action.REBOOT;
import static org.vpsd.server.domain.Action.START;
import static org.vpsd.server.domain.Action.STOP;

import java.util.EnumMap;
import java.util.Map;

/**
 * The one table of what a customer's action does in each status (CloudStack keeps such a table
 * too). An action either moves the server into a transitional status, whose work the engine then
 * does, or is refused with the {@code detail} the API answers with 400.
 *
 * <pre>
 * status        start                        stop                        reboot                      delete
 * active        "Server is already running"  -> stopping                 -> rebooting                -> deleting
 * stopped       -> starting                  "Server is not running"     "Server is not running"     -> deleting
 * suspended     "Server is suspended"        "Server is suspended"       "Server is suspended"       -> deleting
 * error         -> starting                  -> stopping                 "Server is in an error..."  -> deleting
 * provisioning  "Server is provisioning"     "Server is provisioning"    "Server is provisioning"    -> deleting
 * starting      "Server is already starting" "Server is starting"        "Server is starting"        -> deleting
 * stopping      "Server is stopping"         "Server is already stopping" "Server is stopping"       -> deleting
 * rebooting     "Server is rebooting"        "Server is rebooting"       "Server is already rebooting" -> deleting
 * deleting      "Server is being deleted"    "Server is being deleted"   "Server is being deleted"   (already)
 * </pre>
 *
 * From {@code error}, start and stop are allowed as recovery attempts: the hypervisor calls are
 * idempotent, so starting a server that is in fact running just brings it back to {@code active}.
 */
public final class Transitions {

    /** The outcome of an action in a status. */
    public sealed interface Decision permits Go, Refuse, Already {}

    /** Accepted: the server enters {@code next} and the engine gets {@code operation} to do. */
    public record Go(Status next, Operation operation) implements Decision {}

    /** Refused with this {@code detail}. */
    public record Refuse(String detail) implements Decision {}

    /** Nothing to do: the server is already doing exactly this (a repeated DELETE). */
    public record Already() implements Decision {}

    private static final Map<Status, Map<Action, Decision>> TABLE = new EnumMap<>(Status.class);

    static {
        row(Status.ACTIVE, refuse("Server is already running"), go(Status.STOPPING), go(Status.REBOOTING));
        row(Status.STOPPED, go(Status.STARTING), refuse("Server is not running"), refuse("Server is not running"));
        row(Status.SUSPENDED, refuse("Server is suspended"), refuse("Server is suspended"), refuse("Server is suspended"));
        row(Status.ERROR, go(Status.STARTING), go(Status.STOPPING), refuse("Server is in an error state"));
        row(Status.PROVISIONING, refuse("Server is provisioning"), refuse("Server is provisioning"), refuse("Server is provisioning"));
        row(Status.STARTING, refuse("Server is already starting"), refuse("Server is starting"), refuse("Server is starting"));
        row(Status.STOPPING, refuse("Server is stopping"), refuse("Server is already stopping"), refuse("Server is stopping"));
        row(Status.REBOOTING, refuse("Server is rebooting"), refuse("Server is rebooting"), refuse("Server is already rebooting"));
        Decision deleting = refuse("Server is being deleted");
        TABLE.put(Status.DELETING, new EnumMap<>(Map.of(START, deleting, STOP, deleting, REBOOT, deleting, DELETE, new Already())));
        TABLE.put(Status.DELETED, new EnumMap<>(Map.of(START, deleting, STOP, deleting, REBOOT, deleting, DELETE, new Already())));
    }

    private Transitions() {}

    private static void row(Status status, Decision start, Decision stop, Decision reboot) {
        TABLE.put(status, new EnumMap<>(Map.of(START, start, STOP, stop, REBOOT, reboot, DELETE, go(Status.DELETING))));
    }

    private static Decision go(Status next) {
        return new Go(next, Operation.of(next));
    }

    private static Decision refuse(String detail) {
        return new Refuse(detail);
    }

    /** What {@code action} does to a server in {@code status}. */
    public static Decision decide(Status status, Action action) {
        return TABLE.get(status).get(action);
    }
}
