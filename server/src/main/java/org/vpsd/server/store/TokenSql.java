package org.vpsd.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.vpsd.server.domain.Principal;
import org.vpsd.server.domain.Repositories;

final class TokenSql implements Repositories.Tokens {
    private static final RowMapper<Repositories.TokenInfo> ROW = (r, ctx) -> new Repositories.TokenInfo(
            r.getLong("id"), Rows.longOrNull(r, "account_id"), r.getString("name"), r.getString("hint"),
            Rows.instant(r, "created_at"), Rows.instant(r, "revoked_at"));

    private final Handle h;

    TokenSql(Handle h) {
        this.h = h;
    }

    @Override
    public long insert(Long accountId, String name, String hash, String hint, Instant now) {
        return h.createUpdate("INSERT INTO api_tokens (account_id, name, token_hash, hint, created_at) "
                        + "VALUES (:account, :name, :hash, :hint, :now)")
                .bind("account", accountId).bind("name", name).bind("hash", hash).bind("hint", hint).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    @Override
    public Optional<Principal> findActive(String hash) {
        return h.createQuery("SELECT id, account_id FROM api_tokens WHERE token_hash = :hash AND revoked_at IS NULL")
                .bind("hash", hash)
                .map((r, ctx) -> new Principal(r.getLong("id"), Rows.longOrNull(r, "account_id")))
                .findOne();
    }

    @Override
    public List<Repositories.TokenInfo> list(Long accountId, boolean admin) {
        String where = admin ? "account_id IS NULL" : "account_id = :account";
        return h.createQuery("SELECT id, account_id, name, hint, created_at, revoked_at FROM api_tokens WHERE " + where + " ORDER BY id")
                .bind("account", accountId).map(ROW).list();
    }

    @Override
    public boolean revoke(long id, Instant now) {
        return h.createUpdate("UPDATE api_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("now", now).execute() == 1;
    }

    @Override
    public Optional<Repositories.TokenInfo> find(long id) {
        return h.createQuery("SELECT id, account_id, name, hint, created_at, revoked_at FROM api_tokens WHERE id = :id")
                .bind("id", id).map(ROW).findOne();
    }
}
