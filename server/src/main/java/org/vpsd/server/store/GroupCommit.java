package org.vpsd.server.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
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
 * <p>Under load, checkpoints begin at most every {@link #DEFAULT_INTERVAL} (PostgreSQL's
 * {@code commit_delay} in spirit), and the commits that arrive meanwhile share the next one. Back to
 * back, during creates from many accounts, they ran 110-170 times a second at 5-8 ms each, each
 * writing again the upper pages of every index those creates touched (and H2 caching each page it
 * wrote, which the collector then copies). A commit after a quiet moment is written at once: the
 * interval only holds back a checkpoint that would begin sooner than that after the one before.
 * Every write waits up to that much longer for its answer, so a client that waits for each answer
 * before sending the next is slower by as much: at 20 ms, 16 such clients created 30% fewer servers
 * a second (bench/RESULTS.md, 2026-12-05, ninth session).
 *
 * <p>This protects against the vpsd process dying (the written data is in the operating system's
 * page cache); surviving a power failure as well would need {@code CHECKPOINT SYNC} per round,
 * which is what PostgreSQL, the production database, does at every commit anyway.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    /** The least time from one checkpoint's start to the next one's. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMillis(10);

    private final String url;
    private final long intervalNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition done = lock.newCondition();
    /** Signalled only by {@link #close}: the wait for the interval is not woken by every request. */
    private final Condition closing = lock.newCondition();
    private long requested;
    private long written;
    private long checkpoints;
    private boolean closed;
    private final Thread flusher;
    private Connection connection;

    GroupCommit(String url) {
        this(url, DEFAULT_INTERVAL);
    }

    GroupCommit(String url, Duration interval) {
        this.url = url;
        this.intervalNanos = interval.toNanos();
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

    /** How many checkpoints this has run (for tests). */
    long checkpoints() {
        lock.lock();
        try {
            return checkpoints;
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        long lastStart = System.nanoTime() - intervalNanos;
        while (true) {
            long target;
            lock.lock();
            try {
                while (requested == written && !closed) {
                    work.await();
                }
                long wait;
                while (!closed && (wait = lastStart + intervalNanos - System.nanoTime()) > 0) {
                    closing.awaitNanos(wait);
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
            lastStart = System.nanoTime();
            checkpoint();
            lock.lock();
            try {
                written = Math.max(written, target);
                checkpoints++;
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
            closing.signalAll();
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
