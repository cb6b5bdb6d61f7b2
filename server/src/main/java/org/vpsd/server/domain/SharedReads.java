package org.vpsd.server.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Identical reads (the same key: a customer's list with the same filter and window) that arrive while
 * one is in the database are answered together by the next read, which starts after all of them
 * arrived. Customers' tools poll their lists, often many at once; a page read that many requests
 * share costs PostgreSQL and vpsd's database client one statement instead of one each (bench/RESULTS.md).
 *
 * <p>Each key being read has a lane, which runs at most {@link #IN_FLIGHT} reads at a time: a request
 * that finds fewer running reads at once, so a lone request, or two that meet, are as fast as without
 * this; one that finds the lane full waits, and when a read ends the first waiter reads once for
 * everything that waited. Different keys never wait for each other (with one read per key, two
 * requests that met by chance waited one read longer: the p99 of pages of 1,000 accounts asked at
 * random rose from 35 to 60 ms). No request is answered from a read that started
 * before it arrived. A read's exception is every waiter's. A lane is dropped when it has nothing left
 * to read, so only keys being read take memory.
 */
final class SharedReads<K, V> {
    /** Reads of one key at once. */
    static final int IN_FLIGHT = 2;

    private final Function<K, V> read;
    private final ConcurrentHashMap<K, Lane> lanes = new ConcurrentHashMap<>();

    SharedReads(Function<K, V> read) {
        this.read = read;
    }

    /** What {@code read} gives for {@code key}, from a read that started after this call. */
    @SuppressWarnings("unchecked")
    V get(K key) {
        Request me = new Request(Thread.currentThread());
        Lane lane;
        boolean lead;
        while (true) {
            lane = lanes.computeIfAbsent(key, k -> new Lane());
            synchronized (lane) {
                if (lane.dropped) {
                    continue;
                }
                lane.waiting.add(me);
                lead = lane.running < IN_FLIGHT;
                if (lead) {
                    lane.running++;
                }
            }
            break;
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
            runFor(key, lane);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return (V) me.outcome();
    }

    /** Reads once for everything waiting in the lane, then hands the lane on or drops it. */
    private void runFor(K key, Lane lane) {
        List<Request> batch;
        synchronized (lane) {
            batch = lane.waiting;
            lane.waiting = new ArrayList<>();
        }
        try {
            Object value = null;
            Throwable failure = null;
            try {
                value = read.apply(key);
            } catch (RuntimeException | Error t) {
                failure = t;
            }
            for (Request r : batch) {
                r.finish(value, failure);
            }
        } finally {
            Request next;
            synchronized (lane) {
                next = lane.waiting.isEmpty() ? null : lane.waiting.get(0);
                if (next != null) {
                    next.lead = true;
                } else if (--lane.running == 0) {
                    lane.dropped = true;
                    lanes.remove(key, lane);
                }
            }
            if (next != null) {
                LockSupport.unpark(next.thread);
            }
        }
    }

    private static final class Lane {
        List<Request> waiting = new ArrayList<>();
        int running;
        boolean dropped;
    }

    private static final class Request {
        final Thread thread;
        private Object value;
        private Throwable failure;
        volatile boolean lead;
        volatile boolean done;

        Request(Thread thread) {
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
