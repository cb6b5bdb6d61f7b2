package org.vpsd.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbc.JdbcConnection;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Plain JDBC on a JDBI handle's connection, for the few reads every API request makes (a server by id, a
 * page of servers, its count), the statements of a create, and those every provisioning runs (addresses,
 * placement, task progress, the server's row lock, events, usage, the simulator's machines): JDBI's
 * per-statement set-up (a copy of its configuration, argument and mapper look-ups, statement events)
 * cost as much CPU as H2's own execution of these queries (JFR,
 * bench/RESULTS.md). Same connection and transaction as the handle; errors wrapped as JDBI wraps them,
 * so the store's handling of lost databases and conflicts sees no difference.
 */
final class Jdbc {
    private Jdbc() {}

    /** Sets a statement's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Reads the current row. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    static <T> Optional<T> first(Handle h, String sql, Binder binder, Reader<T> reader) {
        List<T> rows = run(h, sql, binder, reader, 1);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static <T> List<T> list(Handle h, String sql, Binder binder, Reader<T> reader) {
        return run(h, sql, binder, reader, Integer.MAX_VALUE);
    }

    static long count(Handle h, String sql, Binder binder) {
        return first(h, sql, binder, rs -> rs.getLong(1)).orElse(0L);
    }

    /** Binds an instant (or null) as a timestamp with time zone in UTC, as the JDBI configuration does. */
    static void setInstant(PreparedStatement ps, int index, java.time.Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, value.atOffset(java.time.ZoneOffset.UTC));
        }
    }

    /** Binds a nullable id. */
    static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it changed. */
    static int update(Handle h, String sql, Binder binder) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    /*
     * H2 keeps the parsed form of each statement in a per-session cache, except for SELECT ... FOR UPDATE,
     * which it parses again at every prepareStatement (its Select.isCacheable): the engine's row locks, address
     * picks and the simulator's machine locks paid a parse per call (5% of the engine benchmark's samples). On
     * H2 those queries are prepared once per physical connection and kept open with it; H2 closes them with
     * the connection, and the entries of closed connections are dropped when a new connection is seen.
     */
    private static final Map<Connection, Map<String, PreparedStatement>> KEPT = new ConcurrentHashMap<>();

    /** The kept statement for {@code sql} on this connection, or null if it is not one H2 would parse each time. */
    private static PreparedStatement kept(Connection c, String sql) throws SQLException {
        if (!sql.contains(" FOR UPDATE") || !c.isWrapperFor(JdbcConnection.class)) {
            return null;
        }
        Connection raw = c.unwrap(JdbcConnection.class);
        Map<String, PreparedStatement> statements = KEPT.get(raw);
        if (statements == null) {
            KEPT.keySet().removeIf(Jdbc::closed);
            statements = KEPT.computeIfAbsent(raw, k -> new ConcurrentHashMap<>());
        }
        PreparedStatement ps = statements.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = raw.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private static boolean closed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static <T> List<T> run(Handle h, String sql, Binder binder, Reader<T> reader, int max) {
        Connection c = h.getConnection();
        try {
            PreparedStatement kept = kept(c, sql);
            try (PreparedStatement own = kept == null ? c.prepareStatement(sql) : null) {
                return rows(kept != null ? kept : own, binder, reader, max);
            }
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    /**
     * As {@link #list}, but planned anew at every execution on PostgreSQL (an unnamed statement), from
     * the tables' sizes as they are then. For the few statements whose best plan changes as a table
     * grows from empty (a probe per row against reading the whole table into a hash): a plan kept for a
     * connection's life, made while the table was small, went on reading all of it as it filled
     * (bench/RESULTS.md). Planning costs a create batch's checks about 0.45 ms and a claim about 0.1 ms
     * (EXPLAIN on a 100,000-server database, after the first).
     */
    static <T> List<T> listPlannedEachTime(Handle h, String sql, Binder binder, Reader<T> reader) {
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql)) {
            if (ps.isWrapperFor(org.postgresql.PGStatement.class)) {
                ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
            }
            return rows(ps, binder, reader, Integer.MAX_VALUE);
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    private static <T> List<T> rows(PreparedStatement ps, Binder binder, Reader<T> reader, int max) throws SQLException {
        binder.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rows.size() < max && rs.next()) {
                rows.add(reader.read(rs));
            }
            return rows;
        }
    }
}
