package org.vpsd.server.store;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.vpsd.server.domain.Operation;
import org.vpsd.server.domain.OsImage;
import org.vpsd.server.domain.Plan;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Repositories.NewServer;
import org.vpsd.server.domain.Server;

/**
 * Several creates of one account in the caller's transaction ({@link Repositories.Servers#createAllIfAllowed}):
 * the account's row locked and its balance read once, every order checked in Java in the list's order
 * against what it refers to, then the accepted ones written together. On PostgreSQL that is three
 * round trips for the whole list (offers with the lock, one statement that writes, the commit), against
 * a statement and a commit per create, each taking the account's row in turn.
 */
final class CreateBatchSql {

    /**
     * The account's balance, its row locked, and per order (by ordinality) what it refers to, if usable:
     * the price, the location's id and the "created" event's text (null when the plan, the image or the
     * location is missing or unavailable), whether the SSH key is the account's and whether a live server
     * of the account holds the name. No row at all when the account does not exist.
     * Planned at each call ({@link Jdbc#listPlannedEachTime}): a plan kept from when the account's
     * servers were few read all of them into a hash for every batch as they grew (bench/RESULTS.md).
     * The two checks are scalar subqueries, which cannot be planned that way at all.
     */
    private static final String OFFERS_PG = """
            SELECT q.ord, a.balance, p.hourly_price, l.id AS location_id,
                   'Created: ' || p.name || ', ' || o.name || ', ' || l.code || '.' AS event,
                   (q.ssh_key_id IS NULL
                    OR COALESCE((SELECT k.account_id FROM ssh_keys k WHERE k.id = q.ssh_key_id) = a.id, FALSE)) AS key_ok,
                   (SELECT s.id FROM servers s WHERE s.account_id = a.id AND s.live_name = q.name
                     ORDER BY s.account_id, s.live_name LIMIT 1) IS NOT NULL AS name_taken
              FROM (SELECT id, balance FROM accounts WHERE id = ? FOR UPDATE) a
             CROSS JOIN unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]),
                               CAST(? AS TEXT[])) WITH ORDINALITY AS q(plan_id, os_id, location_code, ssh_key_id, name, ord)
              LEFT JOIN plans p ON p.id = q.plan_id AND p.available
              LEFT JOIN os_images o ON o.id = q.os_id AND o.available
              LEFT JOIN locations l ON l.code = q.location_code AND l.available
             ORDER BY q.ord
            """;

    /** The accepted orders' servers, tasks, events and ledger rows, and the account's charge; the servers as read. */
    private static final String WRITE_PG = """
            WITH q AS (
                SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]),
                                     CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BOOLEAN[]),
                                     CAST(CAST(? AS TEXT[]) AS NUMERIC[]), CAST(CAST(? AS TEXT[]) AS NUMERIC[]), CAST(? AS TEXT[]),
                                     CAST(CAST(? AS TEXT[]) AS TIMESTAMPTZ[]), CAST(CAST(? AS TEXT[]) AS TIMESTAMPTZ[]))
                       WITH ORDINALITY AS q(name, hostname, location_id, plan_id, os_id, ssh_key_id, backups_enabled,
                                            hourly_price, balance_after, event, created_at, next_charge_at, ord)),
            created AS (
                INSERT INTO servers (account_id, name, live_name, hostname, status, location_id, plan_id, os_id, ssh_key_id,
                                     backups_enabled, hourly_price, billed_periods, next_charge_at, created_at, updated_at)
                SELECT ?, name, name, hostname, 'provisioning', location_id, plan_id, os_id, ssh_key_id,
                       backups_enabled, hourly_price, 1, next_charge_at, created_at, created_at FROM q ORDER BY ord
                RETURNING *),
            task AS (
                INSERT INTO server_tasks (server_id, operation, step, generation, attempts, run_at, created_at)
                SELECT id, ?, 0, 0, 0, created_at, created_at FROM created),
            event AS (
                INSERT INTO server_events (server_id, at, kind, message)
                SELECT c.id, c.created_at, 'created', LEFT(q.event, 2000) FROM created c JOIN q ON q.name = c.name ORDER BY q.ord),
            charge AS (
                INSERT INTO ledger (account_id, server_id, kind, period, amount, balance_after, created_at)
                SELECT c.account_id, c.id, 'charge', 0, -q.hourly_price, q.balance_after, c.created_at
                  FROM created c JOIN q ON q.name = c.name ORDER BY q.ord),
            account AS (
                UPDATE accounts SET balance = balance - (SELECT SUM(hourly_price) FROM q) WHERE id = ?)
            """ + ServerSql.SELECT.replace("FROM servers s", "FROM created s");

    private final Handle h;
    private final ServerSql servers;

    CreateBatchSql(Handle h, ServerSql servers) {
        this.h = h;
        this.servers = servers;
    }

    /** What an order refers to, when it may be used: its price, the location and the event's text. */
    record Offer(BigDecimal price, long locationId, String event) {}

    /** An order taken, with the balance left after its charge. */
    private record Accepted(int index, NewServer order, Offer offer, BigDecimal balanceAfter) {}

    List<Optional<Server>> createAll(List<NewServer> orders) {
        long account = orders.get(0).accountId();
        if (orders.stream().anyMatch(o -> o.accountId() != account)) {
            throw new IllegalArgumentException("creates of one account only");
        }
        boolean h2 = Sql.isH2(h);
        Map<Integer, Offer> offers = new HashMap<>();
        BigDecimal balance = h2 ? offersH2(orders, offers) : offersPg(orders, offers);
        List<Accepted> accepted = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; balance != null && i < orders.size(); i++) {
            Offer offer = offers.get(i);
            if (offer != null && balance.compareTo(offer.price()) >= 0 && names.add(orders.get(i).name())) {
                balance = balance.subtract(offer.price());
                accepted.add(new Accepted(i, orders.get(i), offer, balance));
            }
        }
        List<Optional<Server>> out = new ArrayList<>(java.util.Collections.nCopies(orders.size(), Optional.empty()));
        if (!accepted.isEmpty()) {
            Map<String, Server> created = h2 ? writeH2(account, accepted, balance) : writePg(account, accepted);
            for (Accepted a : accepted) {
                out.set(a.index(), Optional.of(created.get(a.order().name())));
            }
        }
        return out;
    }

    /** Locks the account's row; fills the usable offers by order index; the balance, or null without an account. */
    private BigDecimal offersPg(List<NewServer> orders, Map<Integer, Offer> offers) {
        BigDecimal[] balance = {null};
        Jdbc.listPlannedEachTime(h, OFFERS_PG, ps -> {
            Connection c = ps.getConnection();
            ps.setLong(1, orders.get(0).accountId());
            ps.setArray(2, c.createArrayOf("bigint", orders.stream().map(NewServer::planId).toArray()));
            ps.setArray(3, c.createArrayOf("bigint", orders.stream().map(NewServer::osId).toArray()));
            ps.setArray(4, c.createArrayOf("text", orders.stream().map(NewServer::locationCode).toArray()));
            ps.setArray(5, c.createArrayOf("bigint", orders.stream().map(NewServer::sshKeyId).toArray()));
            ps.setArray(6, c.createArrayOf("text", orders.stream().map(NewServer::name).toArray()));
        }, r -> {
            balance[0] = r.getBigDecimal("balance");
            String event = r.getString("event");
            if (event != null && r.getBoolean("key_ok") && !r.getBoolean("name_taken")) {
                offers.put(r.getInt("ord") - 1, new Offer(r.getBigDecimal("hourly_price"), r.getLong("location_id"), event));
            }
            return null;
        });
        return balance[0];
    }

    private Map<String, Server> writePg(long account, List<Accepted> accepted) {
        Map<String, Server> created = new HashMap<>();
        try (PreparedStatement ps = h.getConnection().prepareStatement(WRITE_PG)) {
            Connection c = ps.getConnection();
            ps.setArray(1, c.createArrayOf("text", accepted.stream().map(a -> a.order().name()).toArray()));
            ps.setArray(2, c.createArrayOf("text", accepted.stream().map(a -> a.order().hostname()).toArray()));
            ps.setArray(3, c.createArrayOf("bigint", accepted.stream().map(a -> a.offer().locationId()).toArray()));
            ps.setArray(4, c.createArrayOf("bigint", accepted.stream().map(a -> a.order().planId()).toArray()));
            ps.setArray(5, c.createArrayOf("bigint", accepted.stream().map(a -> a.order().osId()).toArray()));
            ps.setArray(6, c.createArrayOf("bigint", accepted.stream().map(a -> a.order().sshKeyId()).toArray()));
            ps.setArray(7, c.createArrayOf("boolean", accepted.stream().map(a -> a.order().backupsEnabled()).toArray()));
            ps.setArray(8, c.createArrayOf("text", accepted.stream().map(a -> a.offer().price().toPlainString()).toArray()));
            ps.setArray(9, c.createArrayOf("text", accepted.stream().map(a -> a.balanceAfter().toPlainString()).toArray()));
            ps.setArray(10, c.createArrayOf("text", accepted.stream().map(a -> a.offer().event()).toArray()));
            ps.setArray(11, c.createArrayOf("text", accepted.stream().map(a -> a.order().now().toString()).toArray()));
            ps.setArray(12, c.createArrayOf("text", accepted.stream().map(a -> a.order().nextChargeAt().toString()).toArray()));
            ps.setLong(13, account);
            ps.setString(14, Operation.PROVISION.wire());
            ps.setLong(15, account);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    Server s = ServerSql.READ.read(r);
                    created.put(s.name(), s);
                }
            }
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
        return created;
    }

    /* H2 runs in-process: the same steps as its single create, one order after another, the charge once. */

    private BigDecimal offersH2(List<NewServer> orders, Map<Integer, Offer> offers) {
        Optional<BigDecimal> balance = Jdbc.first(h, "SELECT balance FROM accounts WHERE id = ? FOR UPDATE",
                ps -> ps.setLong(1, orders.get(0).accountId()), r -> r.getBigDecimal(1));
        if (balance.isEmpty()) {
            return null;
        }
        for (int i = 0; i < orders.size(); i++) {
            NewServer s = orders.get(i);
            int index = i;
            if (!servers.nameTaken(s.accountId(), s.name(), -1)) {
                offerH2(h, s).ifPresent(offer -> offers.put(index, offer));
            }
        }
        return balance.get();
    }

    /** On H2, what the order refers to if the plan, the image and the location are available and the SSH key (if any) is the account's. */
    static Optional<Offer> offerH2(Handle h, NewServer s) {
        var catalog = new CatalogSql(h);
        Optional<Plan> plan = catalog.plan(s.planId()).filter(Plan::available);
        Optional<OsImage> os = catalog.osImage(s.osId()).filter(OsImage::available);
        Optional<Repositories.Catalog.LocationRef> location = catalog.locationRef(s.locationCode())
                .filter(Repositories.Catalog.LocationRef::available);
        if (plan.isEmpty() || os.isEmpty() || location.isEmpty()
                || (s.sshKeyId() != null && new SshKeySql(h).find(s.accountId(), s.sshKeyId()).isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new Offer(plan.get().hourlyPrice(), location.get().id(),
                "Created: " + plan.get().name() + ", " + os.get().name() + ", " + s.locationCode() + "."));
    }

    private Map<String, Server> writeH2(long account, List<Accepted> accepted, BigDecimal balance) {
        var tasks = new TaskSql(h);
        var events = new EventSql(h);
        var ledger = new LedgerSql(h);
        List<Long> ids = new ArrayList<>();
        for (Accepted a : accepted) {
            NewServer s = a.order();
            long id = servers.insertRow(s, a.offer().locationId(), a.offer().price());
            tasks.insert(id, Operation.PROVISION, s.now(), s.now());
            events.append(id, "created", a.offer().event(), s.now());
            ledger.charge(account, id, 0, a.offer().price(), a.balanceAfter(), s.now());
            ids.add(id);
        }
        Jdbc.update(h, "UPDATE accounts SET balance = ? WHERE id = ?", ps -> {
            ps.setBigDecimal(1, balance);
            ps.setLong(2, account);
        });
        Map<String, Server> created = new HashMap<>();
        for (long id : ids) {
            servers.find(id).ifPresent(s -> created.put(s.name(), s));
        }
        return created;
    }
}
