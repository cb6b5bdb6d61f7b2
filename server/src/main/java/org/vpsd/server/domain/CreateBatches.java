package org.vpsd.server.domain;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Puts one account's creates that arrive while another of its creates is in the database into one
 * transaction. Every create of an account charges the account's balance, so the database runs them
 * one after another on the account's row; on PostgreSQL each held the row for its statement and its
 * commit, and with many clients creating for one account most of the time went to handing the row
 * from one backend to the next (bench/RESULTS.md). Here a lone create runs at once, as it did
 * ({@link Repositories.Servers#createIfAllowed}, atomically); creates that came in meanwhile wait in
 * vpsd, in order of arrival, and the next of them runs them all in one transaction that takes the
 * row once ({@link Repositories.Servers#createAllIfAllowed}), then hands the turn to the next waiter
 * as soon as it committed.
 *
 * <p>Each create gets the answer it would have got alone, in arrival order: the same checks, the
 * balance charged exactly. A create the batch refused (a check, the balance, a name) is asked again
 * alone once the batch committed, so that its answer and its error are a lone create's. A batch that
 * meets a name taken concurrently (the live-name constraint) changed nothing and runs again create
 * by create; any other failure is every member's failure, as a lone create's would have been its own
 * (never run again: it may have committed).
 */
final class CreateBatches {
    /** The most creates one transaction takes; the rest wait for the next. */
    static final int MAX_BATCH = 100;

    private final Transactor tx;
    private final IntConsumer batchSizes;
    /** An account is here while one of its creates runs; its waiters are in the queue. */
    private final ConcurrentHashMap<Long, ArrayDeque<Create>> running = new ConcurrentHashMap<>();

    CreateBatches(Transactor tx, IntConsumer batchSizes) {
        this.tx = tx;
        this.batchSizes = batchSizes;
    }

    /** What {@link Repositories.Servers#createIfAllowed} would return for this order, or its exception. */
    Optional<Server> create(Repositories.NewServer order) {
        Create me = new Create(order);
        boolean[] lead = {false};
        running.compute(order.accountId(), (account, waiting) -> {
            if (waiting == null) {
                lead[0] = true;
                return new ArrayDeque<>();
            }
            waiting.add(me);
            return waiting;
        });
        List<Create> batch = lead[0] ? List.of(me) : me.turn.join();
        if (batch != null) {
            lead(order.accountId(), batch);
        }
        return me.outcome();
    }

    /** Runs a batch this thread was given, then hands the account's next waiters to the first of them. */
    private void lead(long account, List<Create> batch) {
        Turn turn = new Turn(account);
        try {
            run(batch, turn);
        } catch (RuntimeException | Error e) {
            batch.forEach(c -> c.fail(e));
            throw e;
        } finally {
            turn.pass();
        }
    }

    /**
     * Runs the batch. The turn passes as soon as the batch's answers are final and committed, before
     * the wait for durability (H2's group commit): the next creates read the balance it left, and their
     * commit is never durable before this one's. Otherwise (a create refused, to be asked again alone)
     * it passes when the batch is done.
     */
    private void run(List<Create> batch, Turn turn) {
        batchSizes.accept(batch.size());
        if (batch.size() == 1) {
            alone(batch.get(0), answer -> turn.pass());
            return;
        }
        List<Optional<Server>> created;
        try {
            created = tx.inTransaction(r -> r.servers().createAllIfAllowed(batch.stream().map(c -> c.order).toList()),
                    all -> {
                        if (all.stream().allMatch(Optional::isPresent)) {
                            turn.pass();
                        }
                    });
        } catch (FieldErrors.Invalid nameTakenMeanwhile) {
            batch.forEach(this::alone);
            return;
        } catch (RuntimeException e) {
            batch.forEach(c -> c.fail(e));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            if (created.get(i).isPresent()) {
                batch.get(i).succeed(created.get(i));
            } else {
                alone(batch.get(i)); // refused: asked again alone, for the answer (and the error) it gives alone
            }
        }
    }

    private void alone(Create c) {
        alone(c, answer -> {});
    }

    private void alone(Create c, Consumer<Optional<Server>> committed) {
        try {
            c.succeed(tx.atomically(r -> r.servers().createIfAllowed(c.order), committed));
        } catch (RuntimeException e) {
            c.fail(e);
        }
    }

    /** An account's turn to create, held by the thread leading its batch; passed once. */
    private final class Turn {
        private final long account;
        /** Only the leading thread reads and writes it. */
        private boolean passed;

        Turn(long account) {
            this.account = account;
        }

        /** Hands up to {@link #MAX_BATCH} of the account's waiters to the first of them, or ends the turn if none wait. */
        void pass() {
            if (passed) {
                return;
            }
            passed = true;
            List<Create> next = new ArrayList<>();
            running.compute(account, (a, waiting) -> {
                while (!waiting.isEmpty() && next.size() < MAX_BATCH) {
                    next.add(waiting.poll());
                }
                return next.isEmpty() ? null : waiting;
            });
            if (!next.isEmpty()) {
                next.get(0).turn.complete(next);
            }
        }
    }

    /** One waiting create: its turn to lead (with the batch to run), or null once its outcome is in. */
    private static final class Create {
        final Repositories.NewServer order;
        final CompletableFuture<List<Create>> turn = new CompletableFuture<>();
        private Optional<Server> created;
        private Throwable failure;

        Create(Repositories.NewServer order) {
            this.order = order;
        }

        void succeed(Optional<Server> server) {
            if (created == null && failure == null) {
                created = server;
                turn.complete(null);
            }
        }

        void fail(Throwable e) {
            if (created == null && failure == null) {
                failure = e;
                turn.complete(null);
            }
        }

        /** Called by its own thread after its turn completed (which orders these fields' writes before). */
        Optional<Server> outcome() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return created;
        }
    }
}
