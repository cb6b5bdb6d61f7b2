package org.vpsd.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.vpsd.server.domain.Operation;
import org.vpsd.server.domain.Repositories;

/**
 * The engine's work table. A claim is a conditional UPDATE: only rows that are due and whose lease
 * is free or expired are taken, so two replicas never run the same step at once. The candidate rows
 * are picked with {@code FOR UPDATE SKIP LOCKED}, so replicas do not queue behind each other's claims.
 */
final class TaskSql implements Repositories.Tasks {
    private static final RowMapper<Repositories.Task> ROW = (r, ctx) -> new Repositories.Task(
            r.getLong("server_id"), Operation.fromDb(r.getString("operation")), r.getInt("step"), r.getInt("generation"),
            r.getInt("attempts"), Rows.instant(r, "run_at"), Rows.instant(r, "deadline"), r.getString("state"),
            r.getString("last_error"));

    private final Handle h;

    TaskSql(Handle h) {
        this.h = h;
    }

    @Override
    public boolean insert(long serverId, Operation op, Instant runAt, Instant now) {
        return Jdbc.update(h, "INSERT INTO server_tasks (server_id, operation, step, generation, attempts, run_at, created_at) "
                + "VALUES (?, ?, 0, 0, 0, ?, ?) ON CONFLICT DO NOTHING", ps -> {
                    ps.setLong(1, serverId);
                    ps.setString(2, op.wire());
                    Jdbc.setInstant(ps, 3, runAt);
                    Jdbc.setInstant(ps, 4, now);
                }) == 1;
    }

    @Override
    public void replace(long serverId, Operation op, Instant runAt, Instant now) {
        int n = h.createUpdate("UPDATE server_tasks SET operation = :op, step = 0, generation = generation + 1, attempts = 0, "
                        + "run_at = :runAt, deadline = NULL, state = NULL, last_error = NULL WHERE server_id = :id")
                .bind("id", serverId).bind("op", op.wire()).bind("runAt", runAt).execute();
        if (n == 0) {
            insert(serverId, op, runAt, now);
        }
    }

    @Override
    public Optional<Repositories.Task> find(long serverId) {
        return h.createQuery("SELECT * FROM server_tasks WHERE server_id = :id").bind("id", serverId).map(ROW).findOne();
    }

    @Override
    public List<Repositories.Task> claim(String owner, Instant now, Instant leaseUntil, int limit) {
        if (!Sql.isH2(h)) {
            return Jdbc.listPlannedEachTime(h, CLAIM_PG, ps -> {
                Jdbc.setInstant(ps, 1, now);
                Jdbc.setInstant(ps, 2, now);
                ps.setInt(3, limit);
                ps.setString(4, owner);
                Jdbc.setInstant(ps, 5, leaseUntil);
                Jdbc.setInstant(ps, 6, now);
            }, r -> ROW.map(r, null));
        }
        // On H2 the due index is named and its order stands for ORDER BY run_at (see Sql.isH2): with
        // ORDER BY, H2 would read, sort and lock every due row for each claim.
        String candidates = "SELECT server_id FROM server_tasks USE INDEX (server_tasks_due) WHERE run_at <= :now "
                + "AND (lease_until IS NULL OR lease_until < :now) LIMIT :limit FOR UPDATE SKIP LOCKED";
        int n = h.createUpdate("UPDATE server_tasks SET lease_owner = :owner, lease_until = :until "
                        + "WHERE server_id IN (" + candidates + ") AND (lease_until IS NULL OR lease_until < :now)")
                .bind("owner", owner).bind("until", leaseUntil).bind("now", now).bind("limit", limit).execute();
        if (n == 0) {
            return List.of();
        }
        return h.createQuery("SELECT * FROM server_tasks WHERE lease_owner = :owner").bind("owner", owner).map(ROW).list();
    }

    @Override
    public boolean advance(long serverId, int generation, String owner, Repositories.Progress p, boolean keepLease) {
        String sql = keepLease ? ADVANCE : ADVANCE_AND_RELEASE;
        return Jdbc.update(h, sql, ps -> {
            ps.setInt(1, p.step());
            Jdbc.setInstant(ps, 2, p.runAt());
            Jdbc.setInstant(ps, 3, p.deadline());
            ps.setString(4, p.state());
            ps.setInt(5, p.attempts());
            ps.setString(6, p.lastError() == null ? null : truncate(p.lastError()));
            ps.setLong(7, serverId);
            ps.setInt(8, generation);
            ps.setString(9, owner);
        }) == 1;
    }

    /**
     * PostgreSQL's claim, one statement: the due rows picked and locked, leased by primary key, and
     * returned. Planned at each claim: the table is a queue, empty one moment and holding thousands of
     * rows the next, and a plan kept from an empty moment read all of it for every claim. The picked
     * keys are handed over as an array rather than joined: after an ANALYZE of the drained queue the
     * planner reckons on one row, and joined it read every pending task against each picked one
     * (36 ms a claim under bench/engine.sh; QueuePlansTest).
     */
    static final String CLAIM_PG = "WITH due AS (SELECT server_id FROM server_tasks WHERE run_at <= ? "
            + "AND (lease_until IS NULL OR lease_until < ?) ORDER BY run_at LIMIT ? FOR UPDATE SKIP LOCKED) "
            + "UPDATE server_tasks t SET lease_owner = ?, lease_until = ? "
            + "WHERE t.server_id = ANY (ARRAY(SELECT server_id FROM due)) AND (t.lease_until IS NULL OR t.lease_until < ?) RETURNING t.*";

    static final String ADVANCE = "UPDATE server_tasks SET step = ?, run_at = ?, deadline = ?, state = ?, attempts = ?, "
            + "last_error = ? WHERE server_id = ? AND generation = ? AND lease_owner = ?";
    private static final String ADVANCE_AND_RELEASE = "UPDATE server_tasks SET step = ?, run_at = ?, deadline = ?, state = ?, "
            + "attempts = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE server_id = ? AND generation = ? AND lease_owner = ?";

    @Override
    public void runNow(long serverId, Instant now) {
        h.createUpdate("UPDATE server_tasks SET run_at = :now WHERE server_id = :id AND run_at > :now")
                .bind("id", serverId).bind("now", now).execute();
    }

    @Override
    public boolean finish(long serverId, int generation, String owner) {
        return Jdbc.update(h, "DELETE FROM server_tasks WHERE server_id = ? AND generation = ? AND lease_owner = ?", ps -> {
            ps.setLong(1, serverId);
            ps.setInt(2, generation);
            ps.setString(3, owner);
        }) == 1;
    }

    @Override
    public Optional<Boolean> finishSeeingSuspension(long serverId, int generation, String owner, long accountId) {
        if (Sql.isH2(h)) {
            if (!finish(serverId, generation, owner)) {
                return Optional.empty();
            }
            return Optional.of(new AccountSql(h).find(accountId).orElseThrow().suspended());
        }
        return Jdbc.first(h, "WITH done AS (DELETE FROM server_tasks WHERE server_id = ? AND generation = ? AND lease_owner = ? "
                + "RETURNING server_id) SELECT a.suspended FROM done JOIN accounts a ON a.id = ?", ps -> {
                    ps.setLong(1, serverId);
                    ps.setInt(2, generation);
                    ps.setString(3, owner);
                    ps.setLong(4, accountId);
                }, r -> r.getBoolean(1));
    }

    @Override
    public Optional<Repositories.Settled> finishSettling(Repositories.Settlement s) {
        return new SettleSql(h, this).settle(s);
    }

    @Override
    public Optional<Repositories.Settled> finishSettlingAtOnce(Repositories.Settlement s, boolean heldNeedsTask) {
        return new SettleSql(h, this).settleAtOnce(s, heldNeedsTask);
    }

    @Override
    public void release(long serverId, String owner) {
        h.createUpdate("UPDATE server_tasks SET lease_owner = NULL, lease_until = NULL WHERE server_id = :id AND lease_owner = :owner")
                .bind("id", serverId).bind("owner", owner).execute();
    }

    @Override
    public int renew(String ownerPrefix, java.util.Collection<Long> serverIds, Instant leaseUntil) {
        if (serverIds.isEmpty()) {
            return 0;
        }
        return h.createUpdate("UPDATE server_tasks SET lease_until = :until WHERE server_id IN (<ids>) AND lease_owner LIKE :prefix")
                .bindList("ids", List.copyOf(serverIds)).bind("until", leaseUntil).bind("prefix", ownerPrefix + "%").execute();
    }

    @Override
    public int releaseAll(String ownerPrefix) {
        return h.createUpdate("UPDATE server_tasks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner LIKE :prefix")
                .bind("prefix", ownerPrefix + "%").execute();
    }

    @Override
    public Optional<Instant> nextRunAt() {
        return h.createQuery("SELECT MIN(run_at) FROM server_tasks").mapTo(Instant.class).findOne();
    }

    @Override
    public long countPending() {
        return h.createQuery("SELECT COUNT(*) FROM server_tasks").mapTo(Long.class).one();
    }

    static String truncate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
    }
}
