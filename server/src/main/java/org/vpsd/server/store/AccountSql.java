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
        return Jdbc.first(h, "SELECT " + COLUMNS + " FROM accounts WHERE id = ?", ps -> ps.setLong(1, id), r -> ROW.map(r, null));
    }

    @Override
    public Optional<Account> findByName(String name) {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts WHERE name = :name").bind("name", name).map(ROW).findOne();
    }

    @Override
    public List<Account> list() {
        return h.createQuery("SELECT " + COLUMNS + " FROM accounts ORDER BY id").map(ROW).list();
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
