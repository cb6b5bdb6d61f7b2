package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.DomainException;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestServer;

/**
 * Reads of single servers that arrive together are answered by one statement (ReadBatches, on by
 * default on PostgreSQL): each read still gets exactly what it would have got alone, its own account's
 * server or nothing.
 */
class ReadBatchTest {
    @Test
    void concurrentReadsEachGetWhatAReadAloneGets() throws Exception {
        try (TestServer s = TestServer.start()) {
            Http alice = s.customer();
            Http bob = s.customer();
            long aliceAccount = BillingTest.accountOf(s, alice);
            long bobAccount = BillingTest.accountOf(s, bob);
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(TestServer.create(alice, "alice-" + i));
            }
            ids.add(TestServer.create(bob, "bob-0"));
            for (long id : ids) {
                TestServer.awaitStatus(id < ids.get(4) ? alice : bob, id, "active"); // nothing changes them while they are read
            }
            ids.add(999_999L); // no such server
            List<Long> accounts = List.of(aliceAccount, bobAccount);

            List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
            var b = s.app.backend;
            // One statement at a time: under 32 readers, batches must form.
            ServerService batched = new ServerService(b.tx, b.clock, b.config.billingPeriod(), s.app.engine, n -> {}, 1, sizes::add);

            List<Callable<List<String>>> readers = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                readers.add(() -> {
                    List<String> mismatches = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        long account = accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
                        long id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
                        Optional<Server> alone = b.tx.read(r -> r.servers().findForAccount(account, id));
                        Optional<Server> got;
                        try {
                            got = Optional.of(batched.get(account, id));
                        } catch (DomainException.NotFound e) {
                            got = Optional.empty();
                        }
                        if (!got.equals(alone)) {
                            mismatches.add(account + "/" + id + ": " + got + " alone " + alone);
                        }
                    }
                    return mismatches;
                });
            }
            List<String> mismatches = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (Future<List<String>> f : pool.invokeAll(readers)) {
                    mismatches.addAll(f.get());
                }
            }
            assertThat(mismatches).isEmpty();
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(32 * 40);
            assertThat(sizes.stream().mapToInt(Integer::intValue).max().orElse(0)).isGreaterThan(1);
            // Alice's servers for Alice, Bob's for Bob, nobody's for nobody: checked against a lone read above;
            // here once more in plain terms.
            assertThat(batched.get(aliceAccount, ids.get(0)).name()).isEqualTo("alice-0");
            assertThat(readsNothing(batched, bobAccount, ids.get(0))).isTrue();
            assertThat(readsNothing(batched, aliceAccount, ids.get(4))).isTrue();
            assertThat(readsNothing(batched, aliceAccount, 999_999L)).isTrue();
        }
    }

    private static boolean readsNothing(ServerService servers, long account, long id) {
        try {
            servers.get(account, id);
            return false;
        } catch (DomainException.NotFound e) {
            return true;
        }
    }
}
