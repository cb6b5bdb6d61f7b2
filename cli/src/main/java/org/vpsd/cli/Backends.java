package org.vpsd.cli;

import org.vpsd.server.Backend;
import org.vpsd.server.config.VpsdConfig;

/** Opens the instance a provider's subcommand acts on. */
final class Backends {
    private Backends() {}

    static Backend open(DatabaseOptions db) {
        VpsdConfig cfg = VpsdConfig.dev(db.data, 0).withDatabase(db.database == null || db.database.isBlank() ? null : db.database);
        return Backend.open(cfg);
    }
}
