package org.vpsd.server.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;

/** Reads the cause of a failed statement: a conflict worth retrying, a lost database, a duplicate. */
final class Sql {
    private Sql() {}

    /**
     * Whether the handle is on H2. H2 sorts the whole result of a {@code FOR UPDATE} query that has an
     * {@code ORDER BY}, locking every row it read, before it applies the {@code LIMIT}; the few queries
     * that pick "the first free rows" therefore name their index on H2 and rely on its order.
     */
    static boolean isH2(org.jdbi.v3.core.Handle h) {
        try {
            return h.getConnection().getMetaData().getDatabaseProductName().equals("H2");
        } catch (SQLException e) {
            throw new org.jdbi.v3.core.ConnectionException(e);
        }
    }

    /** The SQLSTATE of {@code vpsd_undo} (migration-postgresql/V9): a statement undid itself, as it was written to. */
    static final String UNDONE = "VP001";

    /** Whether a statement failed by calling {@code vpsd_undo}. */
    static boolean isUndone(Throwable e) {
        SQLException s = sqlCause(e);
        return s != null && UNDONE.equals(s.getSQLState());
    }

    static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    /** A deadlock, serialisation failure or lock timeout: the same work may succeed if run again. */
    static boolean isTransient(Throwable e) {
        SQLException s = sqlCause(e);
        if (s == null || s instanceof SQLTransientConnectionException) {
            return false;
        }
        String state = String.valueOf(s.getSQLState());
        return state.equals("40001") || state.equals("40P01") || state.equals("55P03")
                || s.getErrorCode() == 50200 /* H2 lock timeout */ || s.getErrorCode() == 40001;
    }

    /**
     * The database cannot be reached or is going away. A pool that merely had no free connection in
     * time (a {@link SQLTransientConnectionException} without a cause) is busy, not unavailable.
     */
    static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException && t.getCause() != null && isUnavailable(t.getCause())) {
                return true;
            }
            if (t instanceof java.net.ConnectException || t instanceof java.io.EOFException
                    || t instanceof org.jdbi.v3.core.transaction.UnableToManipulateTransactionIsolationLevelException
                    || (t instanceof SQLException && "Connection is closed".equals(t.getMessage()))) {
                return true;
            }
            if (t instanceof SQLException s) {
                String state = String.valueOf(s.getSQLState());
                if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                        || s.getErrorCode() == 90067 /* H2 connection broken */ || s.getErrorCode() == 90098 /* closed */
                        || s.getErrorCode() == 90121 /* H2 database closed */) {
                    return true;
                }
            }
        }
        return false;
    }

    /** No pooled connection became free in time. */
    static boolean isPoolTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** A unique constraint failed; when {@code constraint} is given, that one. */
    static boolean isUniqueViolation(Throwable e, String constraint) {
        SQLException s = sqlCause(e);
        if (s == null || !"23505".equals(s.getSQLState())) {
            return false;
        }
        return constraint == null || String.valueOf(s.getMessage()).toLowerCase(Locale.ROOT).contains(constraint);
    }
}
