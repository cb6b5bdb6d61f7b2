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
 * everything that waited. Different keys never wait for each other. No request is answered from a
 * read that started before it arrived. A read's exception is every waiter's. A lane is dropped when
 * it has nothing left to read, so only keys being read take memory. (One, two and four reads at once
 * were measured: 15,847, 16,745 and 16,310 pages/s for one page asked by 64 connections, p99 36, 32
 * and 35 ms for pages of 1,000 accounts asked at random.)
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
        List<Request> batch = null;
        while (true) {
            lane = lanes.computeIfAbsent(key, k -> new Lane());
            synchronized (lane) {
                if (lane.dropped) {
                    continue;
                }
                if (lane.running < IN_FLIGHT) {
                    lane.running++;
                    batch = lane.takeWaiting();
                    batch.add(me);
                } else {
                    lane.waiting.add(me);
                }
            }
            break;
        }
        boolean interrupted = false;
        while (batch == null) {
            // Woken either with an answer or with the waiters to read for (this one among them).
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
            if (me.done) {
                break;
            }
            batch = me.handedOver;
        }
        if (batch != null) {
            runFor(key, lane, batch);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return (V) me.outcome();
    }

    /** Reads once for {@code batch}, then hands the lane's place to its first waiter, or gives it up. */
    private void runFor(K key, Lane lane, List<Request> batch) {
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
            Request next = null;
            synchronized (lane) {
                if (!lane.waiting.isEmpty()) {
                    List<Request> waited = lane.takeWaiting();
                    next = waited.get(0);
                    next.handedOver = waited;
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

    /** Lanes held: only those of keys being read (for tests). */
    int lanes() {
        return lanes.size();
    }

    /** The reads of one key: how many run, and the requests that wait for the next (never one that reads). */
    private static final class Lane {
        List<Request> waiting = new ArrayList<>();
        int running;
        boolean dropped;

        List<Request> takeWaiting() {
            List<Request> taken = waiting;
            waiting = new ArrayList<>();
            return taken;
        }
    }

    private static final class Request {
        final Thread thread;
        private Object value;
        private Throwable failure;
        volatile List<Request> handedOver;
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
