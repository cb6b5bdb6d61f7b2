package org.vpsd.server.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Identical reads (the same key: a customer's list with the same filter and window) that arrive while
 * one is in the database are answered together by the next read, which starts after all of them
 * arrived. Customers' tools poll their lists, often many at once; a page read that many requests
 * share costs PostgreSQL and vpsd's database client one statement instead of one each (bench/RESULTS.md).
 *
 * <p>Keys are spread over {@link #LANES} lanes by hash. Each lane runs one read at a time: a request
 * that finds its lane idle reads at once, so a lone request is as fast as without this; one that
 * finds it busy waits, and when the running read ends the first waiter reads for everything that
 * waited in the lane (once per distinct key). No request is answered from a read that started before
 * it arrived. A read's exception is every waiter's with that key.
 */
final class SharedReads<K, V> {
    static final int LANES = 64;

    private final Function<K, V> read;
    private final Lane[] lanes = new Lane[LANES];

    SharedReads(Function<K, V> read) {
        this.read = read;
        for (int i = 0; i < LANES; i++) {
            lanes[i] = new Lane();
        }
    }

    /** What {@code read} gives for {@code key}, from a read that started after this call. */
    @SuppressWarnings("unchecked")
    V get(K key) {
        Lane lane = lanes[Math.floorMod(key.hashCode() * 0x9E3779B9, LANES)];
        Request me = new Request(key, Thread.currentThread());
        boolean lead;
        synchronized (lane) {
            lane.waiting.add(me);
            lead = !lane.running;
            lane.running = true;
        }
        boolean interrupted = false;
        while (!lead) {
            // Woken either with an answer or to read for the lane's waiters (this one among them).
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
            if (me.done) {
                break;
            }
            lead = me.lead;
        }
        if (lead) {
            runFor(lane);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return (V) me.outcome();
    }

    /** Reads once per distinct key for everything waiting in the lane, then hands the lane on. */
    private void runFor(Lane lane) {
        List<Request> batch;
        synchronized (lane) {
            batch = lane.waiting;
            lane.waiting = new ArrayList<>();
        }
        Map<Object, List<Request>> byKey = new LinkedHashMap<>();
        for (Request r : batch) {
            byKey.computeIfAbsent(r.key, k -> new ArrayList<>()).add(r);
        }
        try {
            for (Map.Entry<Object, List<Request>> e : byKey.entrySet()) {
                Object value;
                Throwable failure = null;
                try {
                    @SuppressWarnings("unchecked")
                    K key = (K) e.getKey();
                    value = read.apply(key);
                } catch (RuntimeException | Error t) {
                    value = null;
                    failure = t;
                }
                for (Request r : e.getValue()) {
                    r.finish(value, failure);
                }
            }
        } finally {
            Request next;
            synchronized (lane) {
                next = lane.waiting.isEmpty() ? null : lane.waiting.get(0);
                lane.running = next != null;
                if (next != null) {
                    next.lead = true;
                }
            }
            if (next != null) {
                LockSupport.unpark(next.thread);
            }
        }
    }

    private static final class Lane {
        List<Request> waiting = new ArrayList<>();
        boolean running;
    }

    private static final class Request {
        final Object key;
        final Thread thread;
        private Object value;
        private Throwable failure;
        volatile boolean lead;
        volatile boolean done;

        Request(Object key, Thread thread) {
            this.key = key;
            this.thread = thread;
        }

        void finish(Object v, Throwable t) {
            value = v;
            failure = t;
            done = true;
            if (thread != Thread.currentThread()) {
                LockSupport.unpark(thread);
            }
        }

        Object outcome() {
            if (failure instanceof RuntimeException re) {
                throw re;
            }
            if (failure instanceof Error err) {
                throw err;
            }
            return value;
        }
    }
}
