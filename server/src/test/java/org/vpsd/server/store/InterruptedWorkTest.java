package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.TestServer;

/**
 * Work whose thread is interrupted mid-statement (its owner stopping it, as {@code PeriodicJobs.close}
 * and the engine's close do) fails by itself: the socket closed under it is not the database going
 * away, so requests go on being answered. PostgreSQL only: there a virtual thread interrupted while it
 * waits for the server's answer has its connection's socket closed; H2 runs a statement in the
 * caller's thread, with no socket to lose.
 */
class InterruptedWorkTest {
    @Test
    void anInterruptedThreadsWorkDoesNotMarkTheDatabaseDown() throws Exception {
        try (TestServer s = TestServer.start()) {
            Database db = s.app.backend.database;
            assumeTrue(db.kind() == Database.Kind.POSTGRESQL, "a PostgreSQL connection's socket");
            JdbiTransactor tx = JdbiTransactor.background(db);
            tx.run(r -> r.settings().put("interrupted-work", "before"));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (Handle holder = db.jdbi().open()) {
                holder.begin();
                holder.execute("UPDATE settings SET setting_value = 'held' WHERE name = 'interrupted-work'");
                // The worker's write waits for the holder's row lock, in the server: its thread waits for the answer.
                Thread worker = Thread.ofVirtual().start(() -> {
                    try {
                        tx.run(r -> r.settings().put("interrupted-work", "worker"));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                Thread.sleep(500);
                worker.interrupt();
                worker.join();
                holder.rollback();
            }
            assertThat(failure.get()).as("the interrupt closed the statement's socket").isNotNull();
            assertThat(db.health().up()).isTrue();
            assertThat(s.admin.get("/admin/v1/accounts/").status()).isEqualTo(200);
        }
    }
}
