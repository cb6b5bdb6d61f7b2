package org.vpsd.server.driver;

/** A hypervisor call failed; the engine retries it with backoff and reports it if it keeps failing. */
public class HypervisorException extends RuntimeException {
    public HypervisorException(String message) {
        super(message);
    }

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }
}
