package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.vpsd.server.testing.TestServer.create;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.TestServer;

/**
 * PostgreSQL: after a burst of work has drained and the queue was vacuumed and analyzed (as autovacuum
 * does when the fleet goes quiet), the plans vpsd's connections make for the engine's statements on
 * server_tasks still find a task by its primary key. Most are made once per connection
 * ({@code plan_cache_mode=force_generic_plan}) and kept when the next burst fills the queue, so a plan
 * that scans the table reads every pending task at each step (migration-postgresql/V8). The claim is
 * planned at each call, from statistics that still say the queue is empty (TaskSql.CLAIM_PG).
 */
class QueuePlansTest {
    @Test
    void theEnginesTaskStatementsUseThePrimaryKeyAfterTheQueueDrainedAndWasVacuumed() {
        try (TestServer s = TestServer.start()) {
            Database db = s.app.backend.database;
            assumeTrue(db.kind() == Database.Kind.POSTGRESQL, "PostgreSQL's planner");
            long first = create(s.customer(), "queue-plans");
            db.jdbi().useHandle(h -> {
                // A burst: 3,000 servers beside the first, each with a task due tomorrow (the engine leaves them be).
                h.execute("INSERT INTO servers (account_id, name, live_name, hostname, status, location_id, plan_id, os_id, "
                        + "hourly_price, billed_periods, created_at, updated_at) "
                        + "SELECT account_id, 'burst-' || g, 'burst-' || g, 'burst-' || g, 'active', location_id, plan_id, os_id, "
                        + "hourly_price, 0, created_at, updated_at FROM servers, generate_series(1, 3000) g WHERE id = ?", first);
                h.execute("INSERT INTO server_tasks (server_id, operation, step, generation, attempts, run_at, created_at) "
                        + "SELECT id, 'reboot', 0, 0, 0, now() + interval '1 day', now() FROM servers WHERE name LIKE 'burst-%'");
                assertThat(pages(h)).as("the burst's queue").isGreaterThan(20);
                // ...drained, then what autovacuum does to a table that changed that much.
                h.execute("DELETE FROM server_tasks WHERE server_id IN (SELECT id FROM servers WHERE name LIKE 'burst-%')");
                h.execute("VACUUM ANALYZE server_tasks");
                assertThat(pages(h)).as("the drained queue's pages, kept").isGreaterThan(20);
                for (String sql : List.of(TaskSql.ADVANCE, SettleSql.SETTLE_PG, SettleSql.SETTLE_AT_ONCE_PG,
                        AddressSql.PLACE_AND_ADVANCE_KEEPING_LEASE)) {
                    String plan = plan(h, sql, null);
                    assertThat(plan).as(plan).contains("server_tasks_pkey").doesNotContain("Seq Scan on server_tasks");
                }
                // The next burst fills the queue again; a claim, planned at each call, picks 64 of its tasks
                // (due the day after tomorrow, as the claim is asked) and leases them. The planner, told that
                // the queue is empty, may read the queue once or look the 64 up by key, but never compares
                // every pending task with each picked one (a join filter: 36 ms a claim at 3,000 pending).
                h.execute("INSERT INTO server_tasks (server_id, operation, step, generation, attempts, run_at, created_at) "
                        + "SELECT id, 'reboot', 0, 0, 0, now() + interval '1 day', now() FROM servers WHERE name LIKE 'burst-%'");
                String later = "now() + interval '2 days'";
                String claim = plan(h, TaskSql.CLAIM_PG, List.of(later, later, "64", "'test'", later, later));
                assertThat(claim).as(claim).contains("Update on server_tasks t").doesNotContain("Join Filter");
            });
        }
    }

    private static int pages(Handle h) {
        return h.createQuery("SELECT pg_relation_size('server_tasks') / current_setting('block_size')::int").mapTo(Integer.class).one();
    }

    /**
     * The plan of {@code sql} (JDBC's {@code ?} parameters), as EXPLAIN prints it: with {@code values}
     * null, the generic plan this connection keeps; else the plan made for those values (SQL expressions),
     * as for a statement planned at each call.
     */
    private static String plan(Handle h, String sql, List<String> values) {
        assertThat(h.createQuery("SHOW plan_cache_mode").mapTo(String.class).one()).isEqualTo("force_generic_plan");
        StringBuilder numbered = new StringBuilder();
        int n = 0;
        for (char c : sql.toCharArray()) {
            numbered.append(c == '?' ? "$" + ++n : String.valueOf(c));
        }
        List<String> args = values != null ? values : java.util.Collections.nCopies(n, "NULL");
        assertThat(args).hasSize(n);
        return h.inTransaction(tx -> {
            if (values != null) {
                tx.execute("SET LOCAL plan_cache_mode = force_custom_plan");
            }
            tx.execute("PREPARE queue_plan AS " + numbered);
            try {
                return String.join("\n", tx.createQuery("EXPLAIN EXECUTE queue_plan(" + String.join(", ", args) + ")")
                        .mapTo(String.class).list());
            } finally {
                tx.execute("DEALLOCATE queue_plan");
            }
        });
    }
}
