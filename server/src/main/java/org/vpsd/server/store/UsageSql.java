package org.vpsd.server.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Usage;

final class UsageSql implements Repositories.Usages {
    private final Handle h;

    UsageSql(Handle h) {
        this.h = h;
    }

    @Override
    public Optional<Repositories.UsageRecord> find(long serverId) {
        return Jdbc.first(h, "SELECT cpu_percent, memory_mb, disk_gb, bandwidth_gb, collected_at, net_bytes, usage_month, month_bytes "
                + "FROM server_usage WHERE server_id = ?", ps -> ps.setLong(1, serverId), r -> new Repositories.UsageRecord(
                        new Usage(r.getDouble(1), r.getLong(2), r.getLong(3), r.getLong(4), Rows.instant(r, 5)),
                        r.getLong(6), r.getString(7), r.getLong(8)));
    }

    @Override
    public void save(long serverId, Repositories.UsageRecord rec) {
        Usage u = rec.usage();
        int n = Jdbc.update(h, "UPDATE server_usage SET cpu_percent = ?, memory_mb = ?, disk_gb = ?, bandwidth_gb = ?, collected_at = ?, "
                + "net_bytes = ?, usage_month = ?, month_bytes = ? WHERE server_id = ?", ps -> {
                    bindFigures(ps, 1, u, rec);
                    ps.setLong(9, serverId);
                });
        if (n == 0) {
            insertFirst(serverId, rec);
        }
    }

    @Override
    public boolean insertFirst(long serverId, Repositories.UsageRecord rec) {
        return Jdbc.update(h, "INSERT INTO server_usage (cpu_percent, memory_mb, disk_gb, bandwidth_gb, collected_at, net_bytes, usage_month, "
                + "month_bytes, server_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", ps -> {
                    bindFigures(ps, 1, rec.usage(), rec);
                    ps.setLong(9, serverId);
                }) == 1;
    }

    /** The eight figures, from parameter {@code first} on, in the column order both statements use. */
    private static void bindFigures(PreparedStatement ps, int first, Usage u, Repositories.UsageRecord rec) throws SQLException {
        ps.setDouble(first, u.cpuPercent());
        ps.setLong(first + 1, u.memoryMb());
        ps.setLong(first + 2, u.diskGb());
        ps.setLong(first + 3, u.bandwidthGb());
        Jdbc.setInstant(ps, first + 4, u.collectedAt());
        ps.setLong(first + 5, rec.netBytes());
        ps.setString(first + 6, rec.month());
        ps.setLong(first + 7, rec.monthBytes());
    }

    @Override
    public void clear(long serverId) {
        h.createUpdate("DELETE FROM server_usage WHERE server_id = :s").bind("s", serverId).execute();
    }
}
