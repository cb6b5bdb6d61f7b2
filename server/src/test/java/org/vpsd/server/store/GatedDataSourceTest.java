package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The background pool's line: waits untimed for a connection given back, never for itself, and not while the database is down. */
class GatedDataSourceTest {
    private static JdbcDataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:gated;DB_CLOSE_DELAY=-1");
        return ds;
    }

    @Test
    void aThreadWaitsForTheConnectionGivenBackAndThenGetsOne() throws Exception {
        GatedDataSource gate = new GatedDataSource(h2(), 1, () -> {});
        Connection first = gate.getConnection();
        CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> {
            try (Connection c = gate.getConnection(); var st = c.createStatement(); var rs = st.executeQuery("SELECT 7")) {
                rs.next();
                return rs.getInt(1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (gate.waiting() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gate.waiting()).as("the second thread waits in line").isEqualTo(1);
        assertThat(second).isNotDone();
        first.close();
        first.close(); // a second close gives nothing back twice
        assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(gate.waiting()).isZero();
        // Both permits' worth given back exactly once: one connection can be had, and is again after it is closed.
        gate.getConnection().close();
        gate.getConnection().close();
    }

    @Test
    void aThreadHoldingAConnectionGetsAnotherWithoutWaitingForItself() throws Exception {
        GatedDataSource gate = new GatedDataSource(h2(), 1, () -> {});
        try (Connection outer = gate.getConnection()) {
            CompletableFuture<Boolean> inner = CompletableFuture.supplyAsync(() -> {
                try (Connection c = gate.getConnection()) {
                    return c.isValid(1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, Runnable::run); // this thread: the one holding outer
            assertThat(inner.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(outer.isValid(1)).isTrue();
        }
        gate.getConnection().close();
    }

    @Test
    void aWaiterLeavesTheLineWhenTheDatabaseIsDownAndTheLineMovesOn() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        GatedDataSource gate = new GatedDataSource(h2(), 1, () -> {
            if (down.get()) {
                throw new IllegalStateException("the database is down");
            }
        });
        Connection first = gate.getConnection();
        CompletableFuture<Connection> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.getConnection();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        while (gate.waiting() == 0) {
            Thread.sleep(5);
        }
        down.set(true);
        first.close();
        assertThatThrownBy(() -> waiter.get(5, TimeUnit.SECONDS)).hasMessageContaining("the database is down");
        down.set(false);
        // The failed waiter gave its permit back.
        CompletableFuture<Boolean> after = CompletableFuture.supplyAsync(() -> {
            try (Connection c = gate.getConnection()) {
                return c.isValid(1);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        assertThat(after.get(5, TimeUnit.SECONDS)).isTrue();
    }
}
