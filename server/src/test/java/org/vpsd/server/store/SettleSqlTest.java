package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.vpsd.server.store.StoreRows.count;
import static org.vpsd.server.store.StoreRows.sql;
import static org.vpsd.server.testing.TestServer.awaitStatus;
import static org.vpsd.server.testing.TestServer.create;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Suspensions;
import org.vpsd.server.domain.Usage;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;
import org.vpsd.server.testing.TestServer;

/**
 * The end of an operation in one statement on PostgreSQL (and step by step on H2): the task removed
 * only if it is still the claim's, the status picked by the account's suspension as read, the first
 * usage record written only where the server ends up active and has none, the event, and nothing at
 * all when the claim no longer holds the task.
 */
class SettleSqlTest {
    private static final String OWNER = "settle-test#1";

    @Test
    void settlesByTheSuspensionItReadsAndWritesNothingForAnotherClaim() {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer();
            long a = create(api, "settle-a");
            long b = create(api, "settle-b");
            awaitStatus(api, a, "active");
            awaitStatus(api, b, "active");
            long account = accountOf(s, a);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            var record = new Repositories.UsageRecord(new Usage(12.5, 700, 9, 0, now), 4096, "2026-12", 4096);

            // Another claim's task: nothing is removed or written.
            leasedTask(s, a, "someone-else#7");
            long eventsBefore = count(s, "SELECT COUNT(*) FROM server_events WHERE server_id = " + a);
            Optional<Repositories.Settled> notOurs = settle(s, a, account, Status.STOPPED, false, record, now);
            assertThat(notOurs).isEmpty();
            assertThat(count(s, "SELECT COUNT(*) FROM server_tasks WHERE server_id = " + a)).isEqualTo(1);
            assertThat(count(s, "SELECT COUNT(*) FROM server_events WHERE server_id = " + a)).isEqualTo(eventsBefore);
            assertThat(status(s, a)).isEqualTo("active");
            sql(s, "DELETE FROM server_tasks WHERE server_id = " + a);

            // Not suspended, no usage record yet: the free status, the record and the event.
            sql(s, "DELETE FROM server_usage WHERE server_id = " + a);
            sql(s, "UPDATE servers SET provisioned_at = NULL WHERE id = " + a);
            leasedTask(s, a, OWNER);
            Optional<Repositories.Settled> free = settle(s, a, account, Status.ACTIVE, true, record, now);
            assertThat(free).contains(new Repositories.Settled(false, true));
            assertThat(status(s, a)).isEqualTo("active");
            assertThat(count(s, "SELECT COUNT(*) FROM server_tasks WHERE server_id = " + a)).isZero();
            assertThat(count(s, "SELECT COUNT(*) FROM servers WHERE provisioned_at IS NOT NULL AND status_detail IS NULL AND id = " + a))
                    .isEqualTo(1);
            assertThat(count(s, "SELECT memory_mb FROM server_usage WHERE month_bytes = 4096 AND server_id = " + a)).isEqualTo(700);
            assertThat(count(s, "SELECT COUNT(*) FROM server_events WHERE kind = 'active' AND message = 'settled by test' "
                    + "AND server_id = " + a)).isEqualTo(1);

            // A record already there stays as it is (the caller then stores the sample after it).
            leasedTask(s, a, OWNER);
            var later = new Repositories.UsageRecord(new Usage(1, 1, 1, 0, now), 1, "2026-12", 1);
            assertThat(settle(s, a, account, Status.ACTIVE, false, later, now)).contains(new Repositories.Settled(false, false));
            assertThat(count(s, "SELECT memory_mb FROM server_usage WHERE server_id = " + a)).isEqualTo(700);

            // Suspended: the held status with its reason, and no usage record for a server that is not active.
            sql(s, "UPDATE accounts SET suspended = TRUE WHERE id = " + account);
            sql(s, "DELETE FROM server_usage WHERE server_id = " + b);
            leasedTask(s, b, OWNER);
            assertThat(settle(s, b, account, Status.ACTIVE, true, record, now)).contains(new Repositories.Settled(true, false));
            assertThat(status(s, b)).isEqualTo("suspended");
            assertThat(count(s, "SELECT COUNT(*) FROM servers WHERE status_detail = '" + Suspensions.REASON.replace("'", "''") + "' AND id = " + b))
                    .isEqualTo(1);
            assertThat(count(s, "SELECT COUNT(*) FROM server_usage WHERE server_id = " + b)).isZero();
            assertThat(count(s, "SELECT COUNT(*) FROM server_events WHERE kind = 'suspended' AND server_id = " + b)).isEqualTo(1);

            // The list's counts follow the statuses the statement wrote.
            assertThat(api.get("/api/v1/servers/?status=suspended").json().get("count").asLong()).isEqualTo(1);
            assertThat(api.get("/api/v1/servers/?status=active").json().get("count").asLong()).isEqualTo(1);
        }
    }

    /**
     * The settlement locks the server's row before it reads the account (on PostgreSQL both go in one
     * round trip): a suspension that holds the row and commits meanwhile is what it reads.
     */
    @ParameterizedTest(name = "at once: {0}")
    @ValueSource(booleans = {false, true})
    void aSuspensionThatCommitsWhileTheSettlementWaitsForTheServersRowIsSeen(boolean atOnce) throws Exception {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer();
            long a = create(api, "settle-waits");
            awaitStatus(api, a, "active");
            long account = accountOf(s, a);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            leasedTask(s, a, OWNER);
            try (Handle suspension = s.app.backend.database.jdbi().open()) {
                // A suspension under way: the server's row held, the account suspended, not committed yet.
                suspension.begin();
                suspension.execute("SELECT status FROM servers WHERE id = ? FOR UPDATE", a);
                suspension.execute("UPDATE accounts SET suspended = TRUE WHERE id = ?", account);
                CompletableFuture<Optional<Repositories.Settled>> settling = CompletableFuture.supplyAsync(() -> atOnce
                        ? settleAtOnce(s, a, account, false, null, now) : settle(s, a, account, Status.ACTIVE, false, null, now));
                if (atOnce && !TestDatabase.postgres()) {
                    // H2 has no settlement that commits by itself: the general way's turn, at once, nothing done.
                    assertThat(settling.get(20, TimeUnit.SECONDS)).isEmpty();
                    suspension.rollback();
                    assertThat(status(s, a)).isEqualTo("active");
                    return;
                }
                Thread.sleep(500);
                assertThat(settling).as("waiting for the server's row").isNotDone();
                suspension.commit();
                assertThat(settling.get(20, TimeUnit.SECONDS)).contains(new Repositories.Settled(true, false));
            }
            assertThat(status(s, a)).isEqualTo("suspended");
            assertThat(count(s, "SELECT COUNT(*) FROM server_tasks WHERE server_id = " + a)).isZero();
        }
    }

    /**
     * The settlement that commits by itself (PostgreSQL) does so only when nothing more belongs in its
     * transaction; otherwise it changes nothing, for the caller to settle the general way. H2 always leaves
     * it to the general way.
     */
    @Test
    void settlesAtOnceOnlyWhenNothingMoreIsNeeded() {
        try (TestServer s = TestServer.start()) {
            Http api = s.customer();
            long a = create(api, "at-once-a");
            awaitStatus(api, a, "active");
            long account = accountOf(s, a);
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            var record = new Repositories.UsageRecord(new Usage(12.5, 700, 9, 0, now), 4096, "2026-12", 4096);
            sql(s, "DELETE FROM server_usage WHERE server_id = " + a);
            sql(s, "UPDATE servers SET status = 'provisioning' WHERE id = " + a);

            // Another claim's task: nothing.
            leasedTask(s, a, "someone-else#7");
            String others = state(s, a);
            assertThat(settleAtOnce(s, a, account, true, record, now)).isEmpty();
            assertThat(state(s, a)).isEqualTo(others);
            sql(s, "DELETE FROM server_tasks WHERE server_id = " + a);

            // A usage record already there, and one to store: the general way (nothing written here).
            leasedTask(s, a, OWNER);
            sql(s, "INSERT INTO server_usage (cpu_percent, memory_mb, disk_gb, bandwidth_gb, collected_at, net_bytes, usage_month, "
                    + "month_bytes, server_id) VALUES (1, 1, 1, 0, CURRENT_TIMESTAMP, 1, '2026-12', 1, " + a + ")");
            String withUsage = state(s, a);
            assertThat(settleAtOnce(s, a, account, true, record, now)).isEmpty();
            assertThat(state(s, a)).isEqualTo(withUsage);

            // Suspended, and a suspension's task to follow: the general way.
            sql(s, "UPDATE accounts SET suspended = TRUE WHERE id = " + account);
            assertThat(settleAtOnce(s, a, account, true, null, now)).isEmpty();
            assertThat(state(s, a)).isEqualTo(withUsage);
            sql(s, "UPDATE accounts SET suspended = FALSE WHERE id = " + account);
            sql(s, "DELETE FROM server_usage WHERE server_id = " + a);

            String before = state(s, a);
            long events = eventsOf(s, a);
            Optional<Repositories.Settled> settled = settleAtOnce(s, a, account, true, record, now);
            if (!TestDatabase.postgres()) {
                assertThat(settled).isEmpty();
                assertThat(state(s, a)).isEqualTo(before);
                return;
            }
            // Nothing more needed: settled, committed, in one round trip.
            assertThat(settled).contains(new Repositories.Settled(false, true));
            assertThat(state(s, a)).isEqualTo("active 0 1 " + (events + 1));
            assertThat(count(s, "SELECT memory_mb FROM server_usage WHERE server_id = " + a)).isEqualTo(700);

            // Suspended with no task to follow (the operation is a suspension): settled at once, held.
            sql(s, "UPDATE accounts SET suspended = TRUE WHERE id = " + account);
            leasedTask(s, a, OWNER);
            assertThat(settleAtOnce(s, a, account, false, null, now)).contains(new Repositories.Settled(true, false));
            assertThat(status(s, a)).isEqualTo("suspended");
        }
    }

    private static Optional<Repositories.Settled> settle(TestServer s, long id, long account, Status free, boolean provisioned,
            Repositories.UsageRecord usage, Instant now) {
        return s.app.backend.tx.inTransaction(r -> {
            return r.tasks().finishSettling(new Repositories.Settlement(id, 0, OWNER, account, free, null, Status.SUSPENDED,
                    Suspensions.REASON, provisioned, usage, "settled by test", now));
        });
    }

    /**
     * What the settlement that commits by itself relies on (PostgreSQL): statements sent together on a
     * connection of vpsd's pool in autocommit are one transaction (the driver sends one Sync after them),
     * so the server's lock is held until the settlement commits.
     */
    @Test
    void statementsSentTogetherInAutocommitAreOneTransaction() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(TestDatabase.postgres(), "PostgreSQL's protocol; H2 settles the general way");
        try (TestServer s = TestServer.start(); Handle h = s.app.backend.database.jdbi().open()) {
            var c = h.getConnection();
            assertThat(c.getAutoCommit()).isTrue();
            long first;
            try (var ps = c.prepareStatement("SELECT txid_current();\nSELECT txid_current()")) {
                ps.execute();
                try (var r = ps.getResultSet()) {
                    r.next();
                    first = r.getLong(1);
                }
                assertThat(ps.getMoreResults()).isTrue();
                try (var r = ps.getResultSet()) {
                    r.next();
                    assertThat(r.getLong(1)).isEqualTo(first);
                }
            }
            try (var ps = c.prepareStatement("SELECT txid_current()"); var r = ps.executeQuery()) {
                r.next();
                assertThat(r.getLong(1)).as("the next statement alone is a transaction of its own").isNotEqualTo(first);
            }
        }
    }

    /** {@link Repositories.Tasks#finishSettlingAtOnce} of an operation that makes the server active (or held). */
    private static Optional<Repositories.Settled> settleAtOnce(TestServer s, long id, long account, boolean heldNeedsTask,
            Repositories.UsageRecord usage, Instant now) {
        return s.app.backend.tx.atomically(r -> r.tasks().finishSettlingAtOnce(new Repositories.Settlement(id, 0, OWNER, account,
                Status.ACTIVE, null, Status.SUSPENDED, Suspensions.REASON, true, usage, "settled by test", now), heldNeedsTask));
    }

    /** The server's status, its tasks, its usage records and its events: "STATUS TASKS USAGE EVENTS". */
    private static String state(TestServer s, long id) {
        return status(s, id) + " " + count(s, "SELECT COUNT(*) FROM server_tasks WHERE server_id = " + id) + " "
                + count(s, "SELECT COUNT(*) FROM server_usage WHERE server_id = " + id) + " " + eventsOf(s, id);
    }

    private static long eventsOf(TestServer s, long id) {
        return count(s, "SELECT COUNT(*) FROM server_events WHERE server_id = " + id);
    }

    /** A start's task at its second step, held by {@code owner}. */
    private static void leasedTask(TestServer s, long id, String owner) {
        StoreRows.leasedTask(s, id, "start", 1, owner);
    }

    private static long accountOf(TestServer s, long id) {
        return count(s, "SELECT account_id FROM servers WHERE id = " + id);
    }

    private static String status(TestServer s, long id) {
        return s.app.backend.database.jdbi().withHandle(h -> h.createQuery("SELECT status FROM servers WHERE id = " + id)
                .mapTo(String.class).one());
    }
}
