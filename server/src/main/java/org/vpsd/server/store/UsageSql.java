package org.vpsd.server.store;

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
        return h.createQuery("SELECT * FROM server_usage WHERE server_id = :s").bind("s", serverId)
                .map((r, ctx) -> new Repositories.UsageRecord(
                        new Usage(r.getDouble("cpu_percent"), r.getLong("memory_mb"), r.getLong("disk_gb"), r.getLong("bandwidth_gb"),
                                Rows.instant(r, "collected_at")),
                        r.getLong("net_bytes"), r.getString("usage_month"), r.getLong("month_bytes")))
                .findOne();
    }

    @Override
    public void save(long serverId, Repositories.UsageRecord rec) {
        Usage u = rec.usage();
        int n = h.createUpdate("UPDATE server_usage SET cpu_percent = :cpu, memory_mb = :mem, disk_gb = :disk, bandwidth_gb = :bw, "
                        + "collected_at = :at, net_bytes = :net, usage_month = :month, month_bytes = :monthBytes WHERE server_id = :s")
                .bind("s", serverId).bind("cpu", u.cpuPercent()).bind("mem", u.memoryMb()).bind("disk", u.diskGb())
                .bind("bw", u.bandwidthGb()).bind("at", u.collectedAt()).bind("net", rec.netBytes()).bind("month", rec.month())
                .bind("monthBytes", rec.monthBytes()).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO server_usage (server_id, cpu_percent, memory_mb, disk_gb, bandwidth_gb, collected_at, net_bytes, "
                            + "usage_month, month_bytes) VALUES (:s, :cpu, :mem, :disk, :bw, :at, :net, :month, :monthBytes) ON CONFLICT DO NOTHING")
                    .bind("s", serverId).bind("cpu", u.cpuPercent()).bind("mem", u.memoryMb()).bind("disk", u.diskGb())
                    .bind("bw", u.bandwidthGb()).bind("at", u.collectedAt()).bind("net", rec.netBytes()).bind("month", rec.month())
                    .bind("monthBytes", rec.monthBytes()).execute();
        }
    }

    @Override
    public void clear(long serverId) {
        h.createUpdate("DELETE FROM server_usage WHERE server_id = :s").bind("s", serverId).execute();
    }
}
