package org.vpsd.server.store;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Transactor;

/** {@link Transactor} on JDBI: one handle per unit of work, conflicts retried, outages reported as such. */
public final class JdbiTransactor implements Transactor {
    private static final int ATTEMPTS = 8;

    private final Jdbi jdbi;
    private final DatabaseHealth health;
    private final Database database;

    /** Work on the request pool. */
    public JdbiTransactor(Database database) {
        this(database, database.jdbi());
    }

    private JdbiTransactor(Database database, Jdbi jdbi) {
        this.database = database;
        this.jdbi = jdbi;
        this.health = database.health();
    }

    /** Work on the background pool (see {@link Database#open}). */
    public static JdbiTransactor background(Database database) {
        return new JdbiTransactor(database, database.backgroundJdbi());
    }

    @Override
    public <T> T inTransaction(Function<Repositories, T> work, Consumer<? super T> committed) {
        // The pool's connections are READ COMMITTED already: no per-transaction isolation switch that
        // could fail after the commit and make a committed transaction look failed.
        return attempt(work, true, committed);
    }

    @Override
    public <T> T atomically(Function<Repositories, T> work, Consumer<? super T> committed) {
        return attempt(work, false, committed);
    }

    private <T> T attempt(Function<Repositories, T> work, boolean transaction, Consumer<? super T> committed) {
        health.check();
        T result = null;
        for (int attempt = 1; ; attempt++) {
            boolean[] began = {false};
            try {
                HandleCallback<T, RuntimeException> unit = h -> {
                    began[0] = true;
                    return work.apply(new JdbiRepositories(h, database));
                };
                result = transaction ? jdbi.inTransaction(unit) : jdbi.withHandle(unit);
                break;
            } catch (RuntimeException e) {
                // A conflict rolled the work back; a connection that failed before the work began did nothing:
                // either may run again. Anything else may have committed, so it is never repeated.
                if (attempt < ATTEMPTS && !Thread.currentThread().isInterrupted()
                        && (Sql.isTransient(e) || (!began[0] && Sql.isUnavailable(e)))) {
                    pause(attempt);
                    continue;
                }
                throw translate(e);
            }
        }
        committed.accept(result);
        database.awaitDurable();
        return result;
    }

    @Override
    public <T> Optional<T> atOnce(Function<Repositories, Optional<T>> work) {
        // H2 runs in-process: a round trip saved there is nothing, and its statements stay plain.
        return database.kind() == Database.Kind.POSTGRESQL ? attempt(work, false, result -> {}) : Optional.empty();
    }

    @Override
    public <T> T read(Function<Repositories, T> work) {
        health.check();
        try {
            return jdbi.withHandle(h -> work.apply(new JdbiRepositories(h, database)));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private RuntimeException translate(RuntimeException e) {
        if (e instanceof StoreUnavailableException) {
            return e;
        }
        // A thread interrupted in the middle of its work (its owner stopping it: shutdownNow) has its
        // socket closed under it, which reads like a lost connection; the database is not down for
        // anyone else, and marking it so would answer 503 to every request until the probe's next look.
        if (Thread.currentThread().isInterrupted()) {
            return e;
        }
        if (Sql.isUnavailable(e)) {
            health.down(e);
            return StoreUnavailableException.down(e);
        }
        if (Sql.isPoolTimeout(e)) {
            return StoreUnavailableException.busy(e);
        }
        return e;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << Math.min(attempt, 6)));
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a transaction", ie);
        }
    }
}
