package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * H2's group commit: a commit after a quiet moment is written at once; under load a checkpoint
 * begins no sooner than the interval after the one before, and the commits that arrive meanwhile
 * share it. (That a commit is never acknowledged before its checkpoint is {@code CrashIT}'s.)
 */
class GroupCommitTest {
    @TempDir
    Path dir;

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("vpsd") + ";MODE=PostgreSQL";
    }

    @Test
    void aCommitAfterAQuietMomentIsWrittenAtOnceAndTheNextWaitsForTheInterval() throws Exception {
        Duration interval = Duration.ofMillis(600);
        try (Connection open = DriverManager.getConnection(url());
                GroupCommit commits = new GroupCommit(url(), interval)) {
            long start = System.nanoTime();
            commits.awaitDurable();
            long first = System.nanoTime() - start;
            assertThat(commits.checkpoints()).isEqualTo(1);
            assertThat(Duration.ofNanos(first)).isLessThan(interval);

            commits.awaitDurable();
            assertThat(commits.checkpoints()).isEqualTo(2);
            // The second checkpoint began at least the interval after the first one did, which began
            // after `start`.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(interval);
        }
    }

    @Test
    void commitsThatArriveDuringTheIntervalShareOneCheckpoint() throws Exception {
        try (Connection open = DriverManager.getConnection(url());
                GroupCommit commits = new GroupCommit(url(), Duration.ofSeconds(2));
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            commits.awaitDurable();
            List<Future<?>> waiting = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                waiting.add(threads.submit(commits::awaitDurable));
            }
            for (Future<?> f : waiting) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(commits.checkpoints()).isEqualTo(2);
        }
    }

    @Test
    void closingDoesNotWaitOutTheInterval() throws Exception {
        try (Connection open = DriverManager.getConnection(url());
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            GroupCommit commits = new GroupCommit(url(), Duration.ofMinutes(10));
            commits.awaitDurable();
            Future<?> waiter = threads.submit(commits::awaitDurable);
            Thread.sleep(100);
            long start = System.nanoTime();
            commits.close();
            waiter.get(30, TimeUnit.SECONDS);
            // close() gives the flusher 2 s to end: it ended well before, woken from its wait.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
            assertThat(commits.checkpoints()).isEqualTo(1);
        }
    }
}
