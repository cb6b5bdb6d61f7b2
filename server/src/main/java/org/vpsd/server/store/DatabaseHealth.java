package org.vpsd.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database answers. Work that finds it gone marks it down; while it is down, callers
 * are refused at once (503) instead of each waiting for a pooled connection that cannot come, and a
 * probe connection, outside the pool, looks every half second for its return.
 */
public final class DatabaseHealth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DatabaseHealth.class);

    private final String jdbcUrl;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private volatile boolean closed;
    private Thread probe;

    DatabaseHealth(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    public boolean up() {
        return up.get();
    }

    /** Throws {@link StoreUnavailableException} while the database is known to be down. */
    void check() {
        if (!up.get()) {
            throw StoreUnavailableException.down(new SQLException("the database is down; waiting for it to come back", "08000"));
        }
    }

    /** Work failed for want of the database: mark it down and start probing for its return. */
    synchronized void down(Throwable cause) {
        if (closed || !up.compareAndSet(true, false)) {
            return;
        }
        LOG.error("The database cannot be reached ({}); answering 503 until it is back.", cause.toString());
        probe = Thread.ofVirtual().name("database-probe").start(this::probeUntilUp);
    }

    private void probeUntilUp() {
        while (!closed) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl)) {
                if (c.isValid(2)) {
                    up.set(true);
                    LOG.warn("The database is back.");
                    return;
                }
            } catch (SQLException e) {
                LOG.debug("Database still down: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread p = probe;
        if (p != null) {
            p.interrupt();
        }
    }
}
