package org.vpsd.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the embedded H2 database. H2 keeps committed changes in memory and writes them
 * to its file in the background; a process killed in between loses them. Writing at every commit
 * ({@code WRITE_DELAY=0}) is safe but costs a file write per transaction. Instead, a transaction
 * that committed waits here until a {@code CHECKPOINT} that began after its commit has written
 * the file: one checkpoint makes every transaction committed before it durable, so under load
 * many commits share one write. A committed transaction is never acknowledged before that.
 *
 * <p>This protects against the vpsd process dying (the written data is in the operating system's
 * page cache); surviving a power failure as well would need {@code CHECKPOINT SYNC} per round,
 * which is what PostgreSQL, the production database, does at every commit anyway.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final String url;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition done = lock.newCondition();
    private long requested;
    private long written;
    private boolean closed;
    private final Thread flusher;
    private Connection connection;

    GroupCommit(String url) {
        this.url = url;
        this.flusher = Thread.ofPlatform().daemon().name("h2-group-commit").start(this::loop);
    }

    /** Returns once everything committed before this call is in the database file. */
    void awaitDurable() {
        lock.lock();
        try {
            long ticket = ++requested;
            work.signal();
            while (written < ticket && !closed) {
                done.await(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            long target;
            lock.lock();
            try {
                while (requested == written && !closed) {
                    work.await();
                }
                if (closed) {
                    return;
                }
                target = requested;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            checkpoint();
            lock.lock();
            try {
                written = Math.max(written, target);
                done.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void checkpoint() {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                if (connection == null || connection.isClosed()) {
                    connection = DriverManager.getConnection(url);
                }
                try (Statement s = connection.createStatement()) {
                    s.execute("CHECKPOINT");
                }
                return;
            } catch (SQLException e) {
                LOG.debug("CHECKPOINT failed ({}), retrying", e.toString());
                closeConnection();
            }
        }
        LOG.warn("The embedded database could not write its file; waiting transactions go on unconfirmed.");
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            // already broken
        }
        connection = null;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            done.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            flusher.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
