package org.vpsd.server.store;

import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.Repositories;

final class SettingsSql implements Repositories.Settings {
    private final Handle h;

    SettingsSql(Handle h) {
        this.h = h;
    }

    @Override
    public Optional<String> get(String name) {
        return h.createQuery("SELECT setting_value FROM settings WHERE name = :n").bind("n", name).mapTo(String.class).findOne();
    }

    @Override
    public void put(String name, String value) {
        int n = h.createUpdate("UPDATE settings SET setting_value = :v WHERE name = :n").bind("n", name).bind("v", value).execute();
        if (n == 0) {
            h.createUpdate("INSERT INTO settings (name, setting_value) VALUES (:n, :v) ON CONFLICT DO NOTHING").bind("n", name).bind("v", value)
                    .execute();
        }
    }

    @Override
    public boolean putIfAbsent(String name, String value) {
        return h.createUpdate("INSERT INTO settings (name, setting_value) VALUES (:n, :v) ON CONFLICT DO NOTHING")
                .bind("n", name).bind("v", value).execute() == 1;
    }

    @Override
    public void delete(String name) {
        h.createUpdate("DELETE FROM settings WHERE name = :n").bind("n", name).execute();
    }
}
