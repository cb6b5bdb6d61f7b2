package org.vpsd.server.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The background pool's connections, lent in turn: a thread that finds every one in use waits in line
 * here, untimed, for the next one given back, instead of in the pool's own timed wait.
 *
 * <p>Why: the engine runs hundreds of steps at once on virtual threads and the background pool has a
 * few connections, so most steps wait for one. HikariCP waits with a timeout, and a virtual thread's
 * timed wait schedules a timer task and cancels it, each waking the JDK's timer thread: under
 * {@code engine.sh pg} that was 8% of vpsd's CPU (bench/RESULTS.md, 2026-12-06). An untimed wait
 * costs a park and an unpark.
 *
 * <p>What bounds the wait: the holders. Each gives its connection back when its statement ends, and
 * every statement ends (the socket timeout on PostgreSQL, the lock timeout on H2). When the database is
 * down a waiter does not go on to the pool's own wait (up to its connection timeout, for each in line):
 * {@code beforeLending} (the health check) throws, and it leaves the line.
 *
 * <p>A thread that already holds one of these connections is not made to wait for a second one (it
 * would wait for itself): it goes straight to the pool, as without the gate.
 */
final class GatedDataSource implements DataSource {
    private final DataSource pool;
    private final Semaphore permits;
    private final Runnable beforeLending;
    private final ThreadLocal<int[]> held = ThreadLocal.withInitial(() -> new int[1]);

    GatedDataSource(DataSource pool, int connections, Runnable beforeLending) {
        this.pool = pool;
        this.permits = new Semaphore(connections, true);
        this.beforeLending = beforeLending;
    }

    /** Threads waiting in line now. */
    int waiting() {
        return permits.getQueueLength();
    }

    @Override
    public Connection getConnection() throws SQLException {
        int[] depth = held.get();
        if (depth[0] > 0) {
            return lent(pool.getConnection(), depth, false);
        }
        permits.acquireUninterruptibly();
        Connection c;
        try {
            beforeLending.run();
            c = pool.getConnection();
        } catch (SQLException | RuntimeException | Error e) {
            permits.release();
            throw e;
        }
        return lent(c, depth, true);
    }

    /** The connection, giving back its permit (if it took one) once, when closed. */
    private Connection lent(Connection c, int[] depth, boolean permit) {
        depth[0]++;
        AtomicBoolean open = new AtomicBoolean(true);
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        if (open.compareAndSet(true, false)) {
                            try {
                                c.close();
                            } finally {
                                depth[0]--;
                                if (permit) {
                                    permits.release();
                                }
                            }
                        }
                        return null;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool's own credentials are used");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || pool.isWrapperFor(iface);
    }
}
