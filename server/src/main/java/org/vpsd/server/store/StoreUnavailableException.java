package org.vpsd.server.store;

/** The database cannot serve this request right now; callers answer 503 and clients try again. */
public final class StoreUnavailableException extends RuntimeException {
    private StoreUnavailableException(String detail, Throwable cause) {
        super(detail, cause);
    }

    /** The database cannot be reached. */
    public static StoreUnavailableException down(Throwable cause) {
        return new StoreUnavailableException("Service temporarily unavailable: the database cannot be reached. Try again shortly.", cause);
    }

    /** Every database connection stayed busy for too long. */
    public static StoreUnavailableException busy(Throwable cause) {
        return new StoreUnavailableException("Service temporarily overloaded. Try again shortly.", cause);
    }

    /** What the API answers with. */
    public String detail() {
        return getMessage();
    }
}
