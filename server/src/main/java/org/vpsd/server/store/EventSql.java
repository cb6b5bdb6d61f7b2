package org.vpsd.server.store;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.ServerEvent;

final class EventSql implements Repositories.Events {
    private final Handle h;

    EventSql(Handle h) {
        this.h = h;
    }

    @Override
    public void append(long serverId, String kind, String message, Instant at) {
        Jdbc.update(h, "INSERT INTO server_events (server_id, at, kind, message) VALUES (?, ?, ?, ?)", ps -> {
            ps.setLong(1, serverId);
            Jdbc.setInstant(ps, 2, at);
            ps.setString(3, kind);
            ps.setString(4, TaskSql.truncate(message));
        });
    }

    @Override
    public List<ServerEvent> list(long serverId, int limit) {
        return h.createQuery("SELECT * FROM (SELECT * FROM server_events WHERE server_id = :s ORDER BY id DESC LIMIT :limit) e ORDER BY id")
                .bind("s", serverId).bind("limit", limit)
                .map((r, ctx) -> new ServerEvent(r.getLong("id"), r.getLong("server_id"), Rows.instant(r, "at"), r.getString("kind"),
                        r.getString("message")))
                .list();
    }
}
