package org.vpsd.server.domain;

/**
 * Base of every error the domain reports to a caller. Each subclass means one thing; the API
 * turns each into one status code and one JSON shape (see {@code api.ErrorMapper}).
 */
public abstract class DomainException extends RuntimeException {
    protected DomainException(String message) {
        super(message, null, false, false);
    }

    /** Nothing with that id exists for the caller (another account's server is not found either). */
    public static final class NotFound extends DomainException {
        public NotFound() {
            super("Not found.");
        }
    }

    /** The request is well formed but the server's status does not allow it. */
    public static final class InvalidState extends DomainException {
        public InvalidState(String detail) {
            super(detail);
        }
    }

    /** The account's credit does not cover what was asked. */
    public static final class PaymentRequired extends DomainException {
        public PaymentRequired(String detail) {
            super(detail);
        }
    }

    /** A provider operation that conflicts with existing data (a plan still in use, a duplicate name). */
    public static final class Conflict extends DomainException {
        public Conflict(String detail) {
            super(detail);
        }
    }
}
