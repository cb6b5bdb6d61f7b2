package org.vpsd.server.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Identical reads share one read that started after all of them arrived; a lone read runs at once. */
class SharedReadsTest {
    @Test
    void aLoneReadRunsAtOnceOnItsOwnThread() {
        List<Thread> readers = new ArrayList<>();
        SharedReads<String, String> reads = new SharedReads<>(k -> {
            readers.add(Thread.currentThread());
            return k.toUpperCase();
        });
        assertThat(reads.get("page")).isEqualTo("PAGE");
        assertThat(reads.get("page")).isEqualTo("PAGE");
        assertThat(readers).containsExactly(Thread.currentThread(), Thread.currentThread());
    }

    @Test
    void readsThatArriveWhileTheLaneIsFullShareTheNextRead() throws Exception {
        AtomicInteger started = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        SharedReads<String, Integer> reads = new SharedReads<>(k -> {
            int n = started.incrementAndGet();
            if (n <= SharedReads.IN_FLIGHT) {
                await(release);
            }
            return n;
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> first = new ArrayList<>();
            for (int i = 1; i <= SharedReads.IN_FLIGHT; i++) {
                // Requests that find a free place in the lane read at once, each its own read.
                first.add(pool.submit(() -> reads.get("page")));
                int reading = i;
                waitUntil(() -> started.get() == reading);
            }
            List<Thread> waiters = new ArrayList<>();
            List<Future<Integer>> later = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                later.add(pool.submit(() -> {
                    synchronized (waiters) {
                        waiters.add(Thread.currentThread());
                    }
                    return reads.get("page");
                }));
            }
            waitUntil(() -> {
                synchronized (waiters) {
                    return waiters.size() == 20 && waiters.stream().allMatch(t -> t.getState() == Thread.State.WAITING);
                }
            });
            // Another key does not wait for this one's full lane.
            assertThat(pool.submit(() -> reads.get("other")).get(10, TimeUnit.SECONDS)).isEqualTo(SharedReads.IN_FLIGHT + 1);
            release.countDown();
            for (int i = 0; i < SharedReads.IN_FLIGHT; i++) {
                assertThat(first.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i + 1);
            }
            for (Future<Integer> f : later) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(SharedReads.IN_FLIGHT + 2);
            }
        }
        assertThat(started.get()).isEqualTo(SharedReads.IN_FLIGHT + 2);
    }

    @Test
    void noAnswerComesFromAReadThatStartedBeforeItsRequestAndNoLaneIsLeft() throws Exception {
        Map<String, AtomicInteger> started = new ConcurrentHashMap<>();
        SharedReads<String, String> reads = new SharedReads<>(k -> {
            int n = started.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
            if (n % 3 == 0) {
                // Reads of different lengths, so that reads end while others of the key start and wait.
                sleepQuietly(1);
            }
            return k + "#" + n;
        });
        AtomicInteger readCount = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String key = "k" + (i % 7);
                all.add(pool.submit(() -> {
                    int before = started.computeIfAbsent(key, x -> new AtomicInteger()).get();
                    String answer = reads.get(key);
                    readCount.incrementAndGet();
                    assertThat(answer).startsWith(key + "#");
                    assertThat(Integer.parseInt(answer.substring(answer.indexOf('#') + 1))).isGreaterThan(before);
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(readCount.get()).isEqualTo(2_000);
        // Every lane gave its places back: none is left holding a read that no one runs.
        assertThat(reads.lanes()).isZero();
    }

    @Test
    void aFailedReadFailsEveryoneWhoWaitedForItAndNoOneElse() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        SharedReads<String, String> reads = new SharedReads<>(k -> {
            if (started.incrementAndGet() == 1) {
                await(release);
                return "first";
            }
            if (k.equals("bad")) {
                throw new DomainException.NotFound();
            }
            return "good";
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = pool.submit(() -> reads.get("bad"));
            waitUntil(() -> started.get() == 1);
            List<Future<String>> bad = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                bad.add(pool.submit(() -> reads.get("bad")));
            }
            Thread.sleep(100);
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            for (Future<String> f : bad) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(DomainException.NotFound.class);
            }
            assertThat(pool.submit(() -> reads.get("good")).get(10, TimeUnit.SECONDS)).isEqualTo("good");
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("never released");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("condition not reached");
            }
            Thread.sleep(5);
        }
    }
}
