package org.vpsd.server.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.SshKeyRecord;

final class SshKeySql implements Repositories.SshKeys {
    private static final RowMapper<SshKeyRecord> ROW = (r, ctx) -> new SshKeyRecord(r.getLong("id"), r.getLong("account_id"),
            r.getString("name"), r.getString("public_key"), r.getString("fingerprint"), Rows.instant(r, "created_at"));

    private final Handle h;

    SshKeySql(Handle h) {
        this.h = h;
    }

    @Override
    public long insert(long accountId, String name, String publicKey, String fingerprint, Instant now) {
        return h.createUpdate("INSERT INTO ssh_keys (account_id, name, public_key, fingerprint, created_at) VALUES (:a, :n, :k, :f, :now)")
                .bind("a", accountId).bind("n", name).bind("k", publicKey).bind("f", fingerprint).bind("now", now)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    @Override
    public Optional<SshKeyRecord> find(long accountId, long id) {
        return h.createQuery("SELECT * FROM ssh_keys WHERE id = :id AND account_id = :a").bind("id", id).bind("a", accountId)
                .map(ROW).findOne();
    }

    @Override
    public Optional<SshKeyRecord> findByFingerprint(long accountId, String fingerprint) {
        return h.createQuery("SELECT * FROM ssh_keys WHERE account_id = :a AND fingerprint = :f").bind("a", accountId)
                .bind("f", fingerprint).map(ROW).findOne();
    }

    @Override
    public List<SshKeyRecord> list(long accountId, long offset, int limit) {
        return h.createQuery("SELECT * FROM ssh_keys WHERE account_id = :a ORDER BY id LIMIT :limit OFFSET :offset")
                .bind("a", accountId).bind("limit", limit).bind("offset", offset).map(ROW).list();
    }

    @Override
    public long count(long accountId) {
        return h.createQuery("SELECT COUNT(*) FROM ssh_keys WHERE account_id = :a").bind("a", accountId).mapTo(Long.class).one();
    }

    @Override
    public boolean delete(long accountId, long id) {
        return h.createUpdate("DELETE FROM ssh_keys WHERE id = :id AND account_id = :a").bind("id", id).bind("a", accountId)
                .execute() == 1;
    }
}
