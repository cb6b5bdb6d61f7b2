package org.vpsd.server.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionFactory;

/**
 * JDBI's connections of the background pool, lent in turn: a thread that finds every one in use waits
 * in line here, untimed, for the next one given back, instead of in the pool's own timed wait.
 *
 * <p>Why: the engine runs hundreds of steps at once on virtual threads and the background pool has a
 * few connections, so most steps wait for one. HikariCP waits with a timeout, and a virtual thread's
 * timed wait schedules a task with the JDK's timer thread and cancels it, each waking that thread
 * (bench/RESULTS.md, 2026-12-06). An untimed wait costs a park and an unpark. The connections are
 * HikariCP's own, not wrapped: JDBI gives each back through {@link #closeConnection}.
 *
 * <p>What bounds the wait: the holders. Each gives its connection back when its statement ends, and
 * every statement ends (the read timeout on PostgreSQL, {@link PgSocketFactory}; the lock timeout on
 * H2). When the database is down a waiter does not go on to the pool's own wait (up to its connection
 * timeout, for each in line): {@code beforeLending} (the health check) throws, and it leaves the line.
 *
 * <p>A thread that already holds one of these connections is not made to wait for a second one (it
 * would wait for itself): it goes straight to the pool, as without the line.
 */
final class GatedConnections implements ConnectionFactory {
    private final DataSource pool;
    private final Semaphore permits;
    private final Runnable beforeLending;
    private final ThreadLocal<int[]> held = ThreadLocal.withInitial(() -> new int[1]);
    /** The connections lent now, with their thread's count and whether they took a place in the line. */
    private final Map<Connection, Lent> lent = new ConcurrentHashMap<>();

    private record Lent(int[] depth, boolean permit) {}

    GatedConnections(DataSource pool, int connections, Runnable beforeLending) {
        this.pool = pool;
        this.permits = new Semaphore(connections, true);
        this.beforeLending = beforeLending;
    }

    /** Threads waiting in line now. */
    int waiting() {
        return permits.getQueueLength();
    }

    @Override
    public Connection openConnection() throws SQLException {
        int[] depth = held.get();
        boolean permit = depth[0] == 0;
        if (permit) {
            permits.acquireUninterruptibly();
        }
        Connection c;
        try {
            if (permit) {
                beforeLending.run();
            }
            c = pool.getConnection();
        } catch (SQLException | RuntimeException | Error e) {
            if (permit) {
                permits.release();
            }
            throw e;
        }
        depth[0]++;
        lent.put(c, new Lent(depth, permit));
        return c;
    }

    @Override
    public void closeConnection(Connection c) throws SQLException {
        Lent l = lent.remove(c);
        try {
            c.close();
        } finally {
            if (l != null) {
                l.depth()[0]--;
                if (l.permit()) {
                    permits.release();
                }
            }
        }
    }
}
