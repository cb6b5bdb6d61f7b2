package org.vpsd.server.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.vpsd.server.domain.Account;
import org.vpsd.server.domain.Repositories;

final class AccountSql implements Repositories.Accounts {
    private static final String COLUMNS = "id, name, balance, suspended, created_at";
    private static final RowMapper<Account> ROW = (r, ctx) -> new Account(
            r.getLong("id"), r.getString("name"), r.getBigDecimal("balance"), r.getBoolean("suspended"),
            Rows.instant(r, "created_at"));

    private final Handle h;

    AccountSql(Handle h) {
        this.h = h;
    }

    @Override
    public long insert(String name, BigDecimal balance, Instant now) {
        return h.createUpdate("INSERT INTO accounts (name, balance, suspended, created_at) VALUES (:name, :balance, FALSE, :now)")
                .bind("name", name).bind("balance", balance).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    @Override
    public Optional<Account> find(long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id").bind("id", id).map(ROW).findOne();
    }

    @Override
    public Optional<Account> findByName(String name) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name").bind("name", name).map(ROW).findOne();
    }

    @Override
    public List<Account> list() {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts ORDER BY id").map(ROW).list();
    }

    /*
     * On PostgreSQL the charge and its ledger row are one statement, so that the account's row, which
     * every create of the account needs, is held for one round trip and the commit: creates of one
     * account queue on it. H2 runs in-process and has no UPDATE in a WITH clause.
     */
    private static final String CHARGE_PG = """
            WITH charged AS (UPDATE accounts SET balance = balance - :amount WHERE id = :a AND balance >= :amount RETURNING balance)
            INSERT INTO ledger (account_id, server_id, kind, period, amount, balance_after, created_at)
            SELECT :a, :s, 'charge', :p, :negated, balance, :now FROM charged
            RETURNING balance_after""";
    private static final String CHARGE_H2 =
            "SELECT balance FROM FINAL TABLE (UPDATE accounts SET balance = balance - :amount WHERE id = :a AND balance >= :amount)";

    @Override
    public Optional<BigDecimal> chargeForServer(long accountId, long serverId, int period, BigDecimal amount, Instant now) {
        if (!Sql.isH2(h)) {
            return h.createQuery(CHARGE_PG).bind("a", accountId).bind("s", serverId).bind("p", period).bind("amount", amount)
                    .bind("negated", amount.negate()).bind("now", now).mapTo(BigDecimal.class).findOne();
        }
        Optional<BigDecimal> after = h.createQuery(CHARGE_H2).bind("a", accountId).bind("amount", amount).mapTo(BigDecimal.class).findOne();
        after.ifPresent(balance -> new LedgerSql(h).charge(accountId, serverId, period, amount, balance, now));
        return after;
    }

    @Override
    public BigDecimal add(long id, BigDecimal delta) {
        h.createUpdate("UPDATE accounts SET balance = balance + :delta WHERE id = :id").bind("id", id).bind("delta", delta).execute();
        return h.createQuery("SELECT balance FROM accounts WHERE id = :id").bind("id", id).mapTo(BigDecimal.class).one();
    }

    @Override
    public void setSuspended(long id, boolean suspended) {
        h.createUpdate("UPDATE accounts SET suspended = :s WHERE id = :id").bind("id", id).bind("s", suspended).execute();
    }

    @Override
    public Optional<Account> lock(long id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE id = :id FOR UPDATE").bind("id", id).map(ROW).findOne();
    }
}
