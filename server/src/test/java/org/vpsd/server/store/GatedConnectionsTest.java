package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.jdbcx.JdbcDataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The background pool's line: waits untimed for a connection given back, never for itself, and not while the database is down. */
class GatedConnectionsTest {
    private static JdbcDataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:gated;DB_CLOSE_DELAY=-1");
        return ds;
    }

    private static <T> CompletableFuture<T> onVirtualThread(java.util.concurrent.Callable<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    private static void awaitWaiting(GatedConnections gate) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gate.waiting() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void aThreadWaitsForTheConnectionGivenBackAndThenGetsOne() throws Exception {
        GatedConnections gate = new GatedConnections(h2(), 1, () -> {});
        Jdbi jdbi = Jdbi.create(gate);
        Connection first = gate.openConnection();
        CompletableFuture<Integer> second = onVirtualThread(() -> jdbi.withHandle(h -> h.createQuery("SELECT 7").mapTo(Integer.class).one()));
        awaitWaiting(gate);
        assertThat(gate.waiting()).as("the second thread waits in line").isEqualTo(1);
        assertThat(second).isNotDone();
        gate.closeConnection(first);
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(gate.waiting()).isZero();
        // JDBI gave its connection back too: the one place in line is free again, once.
        Connection again = gate.openConnection();
        CompletableFuture<Connection> third = onVirtualThread(gate::openConnection);
        awaitWaiting(gate);
        assertThat(third).isNotDone();
        gate.closeConnection(again);
        gate.closeConnection(third.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aThreadHoldingAConnectionGetsAnotherWithoutWaitingForItself() throws Exception {
        GatedConnections gate = new GatedConnections(h2(), 1, () -> {});
        Jdbi jdbi = Jdbi.create(gate);
        CompletableFuture<Integer> nested = onVirtualThread(() -> jdbi.withHandle(outer ->
                jdbi.withHandle(inner -> inner.createQuery("SELECT 8").mapTo(Integer.class).one())
                        + outer.createQuery("SELECT 1").mapTo(Integer.class).one()));
        assertThat(nested.get(5, TimeUnit.SECONDS)).isEqualTo(9);
        // Both given back, the outer one's place in line with it.
        gate.closeConnection(gate.openConnection());
    }

    @Test
    void aWaiterLeavesTheLineWhenTheDatabaseIsDownAndTheLineMovesOn() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        GatedConnections gate = new GatedConnections(h2(), 1, () -> {
            if (down.get()) {
                throw new IllegalStateException("the database is down");
            }
        });
        Connection first = gate.openConnection();
        CompletableFuture<Connection> waiter = onVirtualThread(gate::openConnection);
        awaitWaiting(gate);
        down.set(true);
        gate.closeConnection(first);
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasMessageContaining("the database is down");
        down.set(false);
        // The failed waiter gave its place back.
        CompletableFuture<Boolean> after = onVirtualThread(() -> {
            Connection c = gate.openConnection();
            try {
                return c.isValid(1);
            } finally {
                gate.closeConnection(c);
            }
        });
        assertThat(after.get(5, TimeUnit.SECONDS)).isTrue();
    }
}
