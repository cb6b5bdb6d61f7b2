package org.vpsd.client.wire;

/** The body of start, stop and reboot: {@code {"status": "success", "message": ..., "server": ...}}. */
public record ActionResult(String status, String message, ServerRef server) {
    public static ActionResult success(String message, ServerRef server) {
        return new ActionResult("success", message, server);
    }
}
