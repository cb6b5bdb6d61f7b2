package org.vpsd.server.domain;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs domain work against storage. {@link #inTransaction} commits everything the function did or
 * nothing; a transient conflict (deadlock, serialisation failure) re-runs the function, so it must
 * have no effect outside the transaction.
 */
public interface Transactor {
    default <T> T inTransaction(Function<Repositories, T> work) {
        return inTransaction(work, result -> {});
    }

    /**
     * Runs work that is all or nothing by itself (one statement, or a repository method documented as
     * atomic) without an enclosing transaction, so that a lock it takes is released by the database
     * when the statement ends, not after a round trip back to vpsd and its scheduling. Durable when it
     * returns; a transient conflict re-runs it.
     */
    default <T> T atomically(Function<Repositories, T> work) {
        return atomically(work, result -> {});
    }

    /**
     * {@link #inTransaction}, handing the result to {@code committed} as soon as it is committed and
     * before the wait that makes it durable (H2's group commit): for passing on a turn that needs only
     * the commit, such as an account's next creates, which read the balance this one left (a later
     * commit is never durable before an earlier one). The result is still returned once durable.
     * {@code committed} runs once, and not at all if the work fails.
     */
    <T> T inTransaction(Function<Repositories, T> work, Consumer<? super T> committed);

    /** {@link #atomically}, with {@code committed} as in {@link #inTransaction(Function, Consumer)}. */
    <T> T atomically(Function<Repositories, T> work, Consumer<? super T> committed);

    /**
     * Runs work whose writes are one statement, or statements sent together, that commit by themselves and
     * may find they cannot do it that way (repository methods documented so: empty, and nothing changed).
     * Only where the store has such statements (PostgreSQL): elsewhere it is not run and the answer is
     * empty, so that a caller goes the general way without a pointless trip to the store. Durable when
     * it returns; a transient conflict re-runs it.
     */
    <T> Optional<T> atOnce(Function<Repositories, Optional<T>> work);

    /** Reads without a transaction of its own (each statement sees committed data). */
    <T> T read(Function<Repositories, T> work);

    default void run(java.util.function.Consumer<Repositories> work) {
        inTransaction(r -> {
            work.accept(r);
            return null;
        });
    }
}
