package org.vpsd.server.store;

import org.vpsd.server.testing.TestServer;

/** Reads and writes rows of a test server's database directly, for store tests that set up or look past the API. */
final class StoreRows {
    private StoreRows() {}

    /** The first column of the query's one row, as a number. */
    static long count(TestServer s, String query) {
        return s.app.backend.database.jdbi().withHandle(h -> h.createQuery(query).mapTo(Long.class).one());
    }

    /** The first column of the query's row, as text; "null" when there is no row or it is null. */
    static String text(TestServer s, String query) {
        return s.app.backend.database.jdbi().withHandle(h -> h.createQuery(query).mapTo(String.class).findOne().orElse("null"));
    }

    static void sql(TestServer s, String statement) {
        s.app.backend.database.jdbi().useHandle(h -> h.execute(statement));
    }

    /** A task of generation 0 at {@code step} of {@code operation}, held by {@code owner} for an hour (the engine leaves it alone). */
    static void leasedTask(TestServer s, long id, String operation, int step, String owner) {
        sql(s, "INSERT INTO server_tasks (server_id, operation, step, generation, attempts, run_at, lease_owner, lease_until, created_at) "
                + "VALUES (" + id + ", '" + operation + "', " + step + ", 0, 0, CURRENT_TIMESTAMP, '" + owner + "', "
                + "CURRENT_TIMESTAMP + INTERVAL '1' HOUR, CURRENT_TIMESTAMP)");
    }
}
