package org.vpsd.server.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Repositories.Settled;
import org.vpsd.server.domain.Repositories.Settlement;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Usage;

/**
 * The end of an operation ({@link Repositories.Tasks#finishSettling}): the server's row locked, then the
 * task removed, the account's suspension read, the server's status, its first usage record and the
 * event written. On PostgreSQL that is two statements sent together (one round trip instead of five):
 * the lock, and one in which the status, its detail and the event are picked by the suspension it
 * reads; on H2, in-process, the same steps one after another.
 */
final class SettleSql {
    /*
     * Every part reads the snapshot the statement starts with, taken after the lock before it: the
     * account's suspension as committed then (see Engine.finish). PostgreSQL runs the two statements one
     * after the other as they arrive, and binds the second (which takes its snapshot, at read committed)
     * only once the first has its lock: sent together, they still read what was committed after the
     * lock (SettleSqlTest). Nothing is written unless the DELETE removed this claim's task ("done" is
     * empty otherwise, and so is everything joined to it).
     */
    static final String SETTLE_PG = """
            WITH done AS (DELETE FROM server_tasks WHERE server_id = ? AND generation = ? AND lease_owner = ? RETURNING server_id),
                 acct AS (SELECT a.suspended FROM done JOIN accounts a ON a.id = ?),
                 settled AS (
                     UPDATE servers s SET status = CASE WHEN acct.suspended THEN ? ELSE ? END,
                                          status_detail = CASE WHEN acct.suspended THEN ? ELSE ? END,
                                          updated_at = ?,
                                          provisioned_at = CASE WHEN ? THEN COALESCE(s.provisioned_at, ?) ELSE s.provisioned_at END
                       FROM acct WHERE s.id = ? RETURNING s.status),
                 first_usage AS (
                     INSERT INTO server_usage (cpu_percent, memory_mb, disk_gb, bandwidth_gb, collected_at, net_bytes, usage_month,
                                               month_bytes, server_id)
                     SELECT CAST(? AS DOUBLE PRECISION), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),
                            CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS BIGINT), CAST(? AS VARCHAR), CAST(? AS BIGINT), ?
                       FROM settled WHERE settled.status = ? AND ?
                     ON CONFLICT DO NOTHING RETURNING 1),
                 event AS (
                     INSERT INTO server_events (server_id, at, kind, message) SELECT ?, ?, settled.status, ? FROM settled)
            SELECT acct.suspended, (SELECT COUNT(*) FROM first_usage) FROM acct""";

    /** What PostgreSQL is sent: the lock, then the settlement, in one round trip. */
    private static final String LOCK_THEN_SETTLE_PG = ServerSql.LOCK + ";\n" + SETTLE_PG;

    /**
     * {@link #SETTLE_PG} for a settlement that commits by itself: sent with the lock in autocommit, the two
     * statements are one implicit transaction (PostgreSQL commits at the protocol's Sync, which the driver
     * sends once after both), so the lock is held until the settlement commits, as in a transaction. When
     * the settlement needs more in its transaction (a suspension's task to follow a held server, whose
     * parameter comes first after the settlement's; a first usage record to store after one already there,
     * given one to write: the second), it undoes itself ({@code vpsd_undo}) and the caller goes the general way.
     */
    static final String SETTLE_AT_ONCE_PG = SETTLE_PG.replace("SELECT acct.suspended, (SELECT COUNT(*) FROM first_usage) FROM acct", """
            SELECT acct.suspended, (SELECT COUNT(*) FROM first_usage),
                   CASE WHEN (? AND EXISTS (SELECT 1 FROM settled WHERE settled.status = 'suspended'))
                          OR (? AND EXISTS (SELECT 1 FROM settled WHERE settled.status = 'active') AND NOT EXISTS (SELECT 1 FROM first_usage))
                        THEN vpsd_undo('the settlement needs more in its transaction') ELSE 1 END
              FROM acct""");

    private static final String LOCK_THEN_SETTLE_AT_ONCE_PG = ServerSql.LOCK + ";\n" + SETTLE_AT_ONCE_PG;

    private final Handle h;
    private final TaskSql tasks;

    SettleSql(Handle h, TaskSql tasks) {
        this.h = h;
        this.tasks = tasks;
    }

    Optional<Settled> settle(Settlement s) {
        return Sql.isH2(h) ? settleStepByStep(s) : settlePg(s);
    }

    /** {@link Repositories.Tasks#finishSettlingAtOnce}: on a handle in autocommit. */
    Optional<Settled> settleAtOnce(Settlement s, boolean heldNeedsTask) {
        if (Sql.isH2(h)) {
            return Optional.empty();
        }
        try {
            return settlePg(s, LOCK_THEN_SETTLE_AT_ONCE_PG, ps -> {
                int i = bind(ps, s);
                ps.setBoolean(++i, heldNeedsTask);
                ps.setBoolean(++i, s.firstUsage() != null);
            });
        } catch (RuntimeException e) {
            if (Sql.isUndone(e)) {
                return Optional.empty(); // nothing was changed: the caller settles the general way
            }
            throw e;
        }
    }

    private Optional<Settled> settlePg(Settlement s) {
        return settlePg(s, LOCK_THEN_SETTLE_PG, ps -> bind(ps, s));
    }

    private Optional<Settled> settlePg(Settlement s, String sql, Jdbc.Binder binder) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql)) {
            binder.bind(ps);
            ps.execute(); // the lock's row, then the settlement's answer
            if (!ps.getMoreResults()) {
                throw new IllegalStateException("the settlement gave no result after the lock");
            }
            try (ResultSet r = ps.getResultSet()) {
                return r.next() ? Optional.of(new Settled(r.getBoolean(1), r.getLong(2) > 0)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    /** Binds {@link #LOCK_THEN_SETTLE_PG}'s parameters; returns the index of the last one. */
    private static int bind(PreparedStatement ps, Settlement s) throws SQLException {
        int i = 0;
        ps.setLong(++i, s.serverId());
        ps.setLong(++i, s.serverId());
        ps.setInt(++i, s.generation());
        ps.setString(++i, s.owner());
        ps.setLong(++i, s.accountId());
        ps.setString(++i, s.held().wire());
        ps.setString(++i, s.free().wire());
        ps.setString(++i, s.heldDetail());
        ps.setString(++i, s.freeDetail());
        Jdbc.setInstant(ps, ++i, s.now());
        ps.setBoolean(++i, s.provisioned());
        Jdbc.setInstant(ps, ++i, s.now());
        ps.setLong(++i, s.serverId());
        Repositories.UsageRecord rec = s.firstUsage();
        Usage u = rec == null ? null : rec.usage();
        ps.setObject(++i, u == null ? null : u.cpuPercent(), Types.DOUBLE);
        ps.setObject(++i, u == null ? null : u.memoryMb(), Types.BIGINT);
        ps.setObject(++i, u == null ? null : u.diskGb(), Types.BIGINT);
        ps.setObject(++i, u == null ? null : u.bandwidthGb(), Types.BIGINT);
        Jdbc.setInstant(ps, ++i, u == null ? null : u.collectedAt());
        ps.setObject(++i, rec == null ? null : rec.netBytes(), Types.BIGINT);
        ps.setString(++i, rec == null ? null : rec.month());
        ps.setObject(++i, rec == null ? null : rec.monthBytes(), Types.BIGINT);
        ps.setLong(++i, s.serverId());
        ps.setString(++i, Status.ACTIVE.wire());
        ps.setBoolean(++i, rec != null);
        ps.setLong(++i, s.serverId());
        Jdbc.setInstant(ps, ++i, s.now());
        ps.setString(++i, TaskSql.truncate(s.note()));
        return i;
    }

    private Optional<Settled> settleStepByStep(Settlement s) {
        Jdbc.first(h, ServerSql.LOCK, ps -> ps.setLong(1, s.serverId()), r -> r.getString(1));
        Optional<Boolean> suspended = tasks.finishSeeingSuspension(s.serverId(), s.generation(), s.owner(), s.accountId());
        if (suspended.isEmpty()) {
            return Optional.empty();
        }
        Status to = s.status(suspended.get());
        Jdbc.update(h, "UPDATE servers SET status = ?, status_detail = ?, updated_at = ?, "
                + "provisioned_at = CASE WHEN ? THEN COALESCE(provisioned_at, ?) ELSE provisioned_at END WHERE id = ?", ps -> {
                    ps.setString(1, to.wire());
                    ps.setString(2, s.detail(suspended.get()));
                    Jdbc.setInstant(ps, 3, s.now());
                    ps.setBoolean(4, s.provisioned());
                    Jdbc.setInstant(ps, 5, s.now());
                    ps.setLong(6, s.serverId());
                });
        boolean usage = to == Status.ACTIVE && s.firstUsage() != null && new UsageSql(h).insertFirst(s.serverId(), s.firstUsage());
        new EventSql(h).append(s.serverId(), to.wire(), s.note(), s.now());
        return Optional.of(new Settled(suspended.get(), usage));
    }
}
