package org.vpsd.server.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.vpsd.server.domain.IpRanges;

/**
 * The fast path that fills a database with a fleet for benchmarks: accounts with tokens, and
 * active servers with their addresses, their first hour charged and their simulated machines, in
 * batched inserts rather than one API call each. The servers are exactly what the API would have
 * made (the same rows, the same invariants), on the location {@code fleet} whose /12 and /64 pools
 * the seeder adds to the catalog.
 */
public final class FleetSeeder {
    public static final String LOCATION = "fleet";
    private static final int CHUNK = 5_000;
    private static final BigDecimal PRICE = new BigDecimal("0.03");
    private static final BigDecimal CREDIT = new BigDecimal("1000000");

    private final Jdbi jdbi;
    private final boolean postgres;

    public FleetSeeder(Database db) {
        this.jdbi = db.jdbi();
        this.postgres = db.kind() == Database.Kind.POSTGRESQL;
    }

    /** An account the seeder made, with the token it issued (hash stored, secret returned). */
    public record SeededAccount(long id, String token) {}

    /**
     * Makes {@code accounts} accounts sharing {@code servers} servers: the first account holds
     * {@code bigAccount} of them, the others the rest evenly. Returns the accounts in order.
     */
    public List<SeededAccount> seed(int accounts, int servers, int bigAccount, IntConsumer progress) {
        Instant now = Instant.now();
        long locationId = ensureLocation();
        List<SeededAccount> made = new ArrayList<>();
        Map<Long, BigDecimal> balances = new HashMap<>();
        jdbi.useTransaction(h -> {
            for (int a = 0; a < accounts; a++) {
                var t = org.vpsd.server.domain.Tokens.issue(false);
                long id = h.createUpdate("INSERT INTO accounts (name, balance, suspended, created_at) VALUES (:n, :b, FALSE, :now)")
                        .bind("n", "fleet-" + now.toEpochMilli() + "-" + a).bind("b", CREDIT).bind("now", now)
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                h.createUpdate("INSERT INTO ledger (account_id, kind, amount, balance_after, created_at, note) "
                        + "VALUES (:a, 'credit', :c, :c, :now, 'Fleet seed')").bind("a", id).bind("c", CREDIT).bind("now", now).execute();
                h.createUpdate("INSERT INTO api_tokens (account_id, name, token_hash, hint, created_at) VALUES (:a, 'fleet', :h, :hint, :now)")
                        .bind("a", id).bind("h", t.hash()).bind("hint", t.hint()).bind("now", now).execute();
                made.add(new SeededAccount(id, t.secret()));
                balances.put(id, CREDIT);
            }
        });
        int done = 0;
        while (done < servers) {
            int from = done;
            int n = Math.min(CHUNK, servers - done);
            jdbi.useTransaction(h -> insertChunk(h, made, balances, locationId, from, n, bigAccount, now, postgres));
            done += n;
            progress.accept(done);
        }
        // After a bulk load, what autovacuum would do in its own time: planner statistics (PostgreSQL
        // would otherwise plan the account's pages for 50 rows instead of 10,000) and, on PostgreSQL,
        // the visibility map that lets a count use the index alone.
        jdbi.useHandle(h -> h.execute(postgres ? "VACUUM ANALYZE" : "ANALYZE"));
        return made;
    }

    private long ensureLocation() {
        return jdbi.inTransaction(h -> {
            var existing = h.createQuery("SELECT id FROM locations WHERE code = :c").bind("c", LOCATION).mapTo(Long.class).findOne();
            if (existing.isPresent()) {
                return existing.get();
            }
            long id = h.createUpdate("INSERT INTO locations (code, name, available) VALUES (:c, 'Fleet (benchmarks)', TRUE)")
                    .bind("c", LOCATION).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
            h.createUpdate("INSERT INTO address_ranges (location_id, family, cidr, gateway, dns) VALUES (:l, 4, '10.0.0.0/12', '10.0.0.1', '')")
                    .bind("l", id).execute();
            h.createUpdate("INSERT INTO address_ranges (location_id, family, cidr, gateway, dns) VALUES (:l, 6, 'fd00:f1ee::/64', "
                    + "'fd00:f1ee::1', '')").bind("l", id).execute();
            return id;
        });
    }

    private static void insertChunk(Handle h, List<SeededAccount> accounts, Map<Long, BigDecimal> balances, long locationId,
            int from, int n, int big, Instant now, boolean postgres) {
        long v4range = h.createQuery("SELECT id FROM address_ranges WHERE location_id = :l AND family = 4").bind("l", locationId)
                .mapTo(Long.class).one();
        long v6range = h.createQuery("SELECT id FROM address_ranges WHERE location_id = :l AND family = 6").bind("l", locationId)
                .mapTo(Long.class).one();
        long firstId = h.createQuery("SELECT COALESCE(MAX(id), 0) FROM servers").mapTo(Long.class).one() + 1;
        PreparedBatch servers = h.prepareBatch("""
                INSERT INTO servers (id, account_id, name, live_name, hostname, status, location_id, plan_id, os_id, backups_enabled,
                                     ipv4, ipv6, hourly_price, billed_periods, next_charge_at, created_at, updated_at, provisioned_at)
                VALUES (:id, :account, :name, :name, :hostname, 'active', :location, 1, 5, FALSE, :v4, :v6, :price, 1, :next,
                        :now, :now, :now)""");
        PreparedBatch addresses = h.prepareBatch("INSERT INTO ip_addresses (location_id, range_id, family, address, server_id) "
                + "VALUES (:location, :range, :family, :address, :server)");
        PreparedBatch ledger = h.prepareBatch("INSERT INTO ledger (account_id, server_id, kind, period, amount, balance_after, created_at) "
                + "VALUES (:account, :server, 'charge', 0, :amount, :after, :now)");
        PreparedBatch machines = h.prepareBatch("INSERT INTO sim_domains (name, host, vcpus, memory_mb, storage_gb, phase, boot_count, "
                + "running_since, run_millis, created_at) VALUES (:name, :host, 2, 4096, 80, 'running', 1, :now, 0, :now)");
        var v4 = IpRanges.parse("10.0.0.0/12", 4);
        var v6 = IpRanges.parse("fd00:f1ee::/64", 6);
        for (int i = from; i < from + n; i++) {
            long id = firstId + (i - from);
            SeededAccount owner = accounts.get(ownerOf(i, accounts.size(), big));
            BigDecimal after = balances.merge(owner.id(), PRICE.negate(), BigDecimal::add);
            String ip4 = IpRanges.format(v4.network().add(java.math.BigInteger.valueOf(i + 2)), 4);
            String ip6 = IpRanges.format(v6.network().add(java.math.BigInteger.valueOf(i + 2)), 6);
            String name = "srv-" + id;
            servers.bind("id", id).bind("account", owner.id()).bind("name", name).bind("hostname", name + ".fleet.example.com")
                    .bind("location", locationId).bind("v4", ip4).bind("v6", ip6).bind("price", PRICE)
                    .bind("next", now.plusSeconds(3600)).bind("now", now).add();
            addresses.bind("location", locationId).bind("range", v4range).bind("family", 4).bind("address", ip4).bind("server", id).add();
            addresses.bind("location", locationId).bind("range", v6range).bind("family", 6).bind("address", ip6).bind("server", id).add();
            ledger.bind("account", owner.id()).bind("server", id).bind("amount", PRICE.negate()).bind("after", after)
                    .bind("now", now).add();
            machines.bind("name", "vpsd-" + id).bind("host", "sim:" + LOCATION).bind("now", now).add();
        }
        servers.execute();
        addresses.execute();
        ledger.execute();
        machines.execute();
        PreparedBatch balance = h.prepareBatch("UPDATE accounts SET balance = :b WHERE id = :id");
        balances.forEach((account, b) -> balance.bind("b", b).bind("id", account).add());
        balance.execute();
        if (postgres) {
            h.execute("SELECT setval(pg_get_serial_sequence('servers', 'id'), (SELECT MAX(id) FROM servers))");
        } else {
            h.execute("ALTER TABLE servers ALTER COLUMN id RESTART WITH " + (firstId + n));
        }
    }

    /** Server {@code i} of the fleet belongs to the big account for the first {@code big}, then round robin. */
    private static int ownerOf(int i, int accounts, int big) {
        if (i < big || accounts == 1) {
            return 0;
        }
        return 1 + (i - big) % (accounts - 1);
    }
}
