package org.vpsd.server.store;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.LedgerEntry;
import org.vpsd.server.domain.Repositories;

final class LedgerSql implements Repositories.Ledger {
    private final Handle h;

    LedgerSql(Handle h) {
        this.h = h;
    }

    @Override
    public boolean charge(long accountId, long serverId, int period, BigDecimal amount, BigDecimal balanceAfter, Instant now) {
        return Jdbc.update(h, "INSERT INTO ledger (account_id, server_id, kind, period, amount, balance_after, created_at) "
                + "VALUES (?, ?, 'charge', ?, ?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
                    ps.setLong(1, accountId);
                    ps.setLong(2, serverId);
                    ps.setInt(3, period);
                    ps.setBigDecimal(4, amount.negate());
                    ps.setBigDecimal(5, balanceAfter);
                    Jdbc.setInstant(ps, 6, now);
                }) == 1;
    }

    @Override
    public void credit(long accountId, BigDecimal amount, BigDecimal balanceAfter, Instant now, String note) {
        h.createUpdate("INSERT INTO ledger (account_id, kind, amount, balance_after, created_at, note) "
                        + "VALUES (:a, 'credit', :amount, :after, :now, :note)")
                .bind("a", accountId).bind("amount", amount).bind("after", balanceAfter).bind("now", now).bind("note", note).execute();
    }

    @Override
    public List<LedgerEntry> list(long accountId, long afterId, int limit) {
        return h.createQuery("SELECT * FROM ledger WHERE account_id = :a AND id > :after ORDER BY id LIMIT :limit")
                .bind("a", accountId).bind("after", afterId).bind("limit", limit)
                .map((r, ctx) -> new LedgerEntry(r.getLong("id"), r.getLong("account_id"), Rows.longOrNull(r, "server_id"),
                        r.getString("kind"), (Integer) r.getObject("period", Integer.class), r.getBigDecimal("amount"),
                        r.getBigDecimal("balance_after"), Rows.instant(r, "created_at"), r.getString("note")))
                .list();
    }

    @Override
    public BigDecimal sum(long accountId) {
        return h.createQuery("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE account_id = :a").bind("a", accountId)
                .mapTo(BigDecimal.class).one();
    }
}
