package org.vpsd.server.domain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Reads of single servers (a customer's {@code GET /servers/{id}/}) that arrive while others are in
 * the database go to it together, as one statement for all their ids. On PostgreSQL every read is a
 * round trip, and its fixed costs (the protocol's messages, the executor's start, vpsd's socket
 * write, park and wake-up) were most of a detail request's CPU: one statement for 8 ids cost
 * PostgreSQL about as much as 1.4 statements for one (bench/RESULTS.md).
 *
 * <p>At most {@code inFlight} statements run at once. A read that finds one of them free runs at once
 * with whatever has queued, so a lone read is as fast as before; reads that find none free queue, and
 * the next statement to start takes them all (up to {@link #MAX_BATCH}). No read is answered from
 * anything older than itself: each statement starts after every read it answers has arrived.
 */
final class ReadBatches {
    /** The most ids one statement asks for. */
    static final int MAX_BATCH = 64;

    private final Transactor tx;
    private final Semaphore slots;
    private final IntConsumer batchSizes;
    private final ConcurrentLinkedQueue<Read> queue = new ConcurrentLinkedQueue<>();

    ReadBatches(Transactor tx, int inFlight, IntConsumer batchSizes) {
        this.tx = tx;
        this.slots = new Semaphore(inFlight);
        this.batchSizes = batchSizes;
    }

    /** What {@link Repositories.Servers#findForAccount} returns, or its exception. */
    Optional<Server> find(long accountId, long id) {
        Read me = new Read(accountId, id, Thread.currentThread());
        queue.add(me);
        // An interrupt would make every park return at once; the read is short, so it is finished first.
        boolean interrupted = false;
        while (!me.done) {
            // A read another statement has taken only waits for it: trying to lead meanwhile would spin.
            if (!me.taken && slots.tryAcquire()) {
                boolean ran = false;
                try {
                    List<Read> batch = drain();
                    if (!batch.isEmpty()) {
                        run(batch);
                        ran = true;
                    }
                } finally {
                    slots.release();
                    // Reads that queued while every statement was busy wait for a turn: wake the first.
                    Read next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.thread);
                    }
                }
                if (!ran && !me.done) {
                    // The queue was empty, so this read was taken a moment ago: its statement answers it.
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
            } else {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return me.outcome();
    }

    private List<Read> drain() {
        List<Read> batch = new ArrayList<>();
        Read r;
        while (batch.size() < MAX_BATCH && (r = queue.poll()) != null) {
            r.taken = true;
            batch.add(r);
        }
        return batch;
    }

    private void run(List<Read> batch) {
        Map<Long, Server> found = new HashMap<>();
        try {
            batchSizes.accept(batch.size());
            List<Long> ids = batch.stream().map(Read::id).distinct().toList();
            for (Server s : tx.read(r -> r.servers().findAll(ids))) {
                found.put(s.id(), s);
            }
        } catch (RuntimeException | Error e) {
            batch.forEach(read -> read.fail(e));
            return;
        }
        for (Read read : batch) {
            Server s = found.get(read.id);
            read.answer(s != null && s.accountId() == read.accountId ? Optional.of(s) : Optional.empty());
        }
    }

    private static final class Read {
        final long accountId;
        final long id;
        final Thread thread;
        private Optional<Server> server;
        private Throwable failure;
        volatile boolean taken;
        volatile boolean done;

        Read(long accountId, long id, Thread thread) {
            this.accountId = accountId;
            this.id = id;
            this.thread = thread;
        }

        long id() {
            return id;
        }

        void answer(Optional<Server> s) {
            server = s;
            finish();
        }

        void fail(Throwable e) {
            failure = e;
            finish();
        }

        private void finish() {
            done = true;
            LockSupport.unpark(thread);
        }

        Optional<Server> outcome() {
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            return server;
        }
    }
}
