package org.vpsd.server.store;

import java.time.Instant;
import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.Repositories;

final class LeaseSql implements Repositories.Leases {
    private final Handle h;

    LeaseSql(Handle h) {
        this.h = h;
    }

    @Override
    public boolean acquire(String name, String owner, Instant now, Instant until) {
        int n = h.createUpdate("UPDATE leases SET owner = :owner, lease_until = :until "
                        + "WHERE name = :name AND (owner = :owner OR lease_until < :now)")
                .bind("name", name).bind("owner", owner).bind("until", until).bind("now", now).execute();
        if (n == 1) {
            return true;
        }
        return h.createUpdate("INSERT INTO leases (name, owner, lease_until) VALUES (:name, :owner, :until) ON CONFLICT DO NOTHING")
                .bind("name", name).bind("owner", owner).bind("until", until).execute() == 1;
    }
}
