package org.vpsd.server;

import java.io.PrintStream;
import java.math.BigDecimal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.config.DevCatalog;
import org.vpsd.server.domain.AccountService;
import org.vpsd.server.domain.CatalogService;

/**
 * What a fresh development instance starts with: the documentation's catalog, a demo account with
 * credit, and an admin token. The tokens are printed once, here, and never again.
 */
final class DevSeed {
    private static final Logger LOG = LoggerFactory.getLogger(DevSeed.class);
    static final String MARKER = "dev.seeded";
    static final BigDecimal DEMO_CREDIT = new BigDecimal("100.00");

    private DevSeed() {}

    static void seedIfFresh(Backend backend, PrintStream out) {
        boolean fresh = backend.tx.read(r -> r.settings().get(MARKER).isEmpty() && r.accounts().list().isEmpty()
                && r.catalog().plans().isEmpty());
        // Several replicas may start on one fresh database at once: the one that writes the marker seeds.
        if (!fresh || !backend.tx.inTransaction(r -> r.settings().putIfAbsent(MARKER, "seeding"))) {
            return;
        }
        CatalogService.Applied applied;
        AccountService.Created demo;
        AccountService.IssuedToken admin;
        try {
            applied = backend.catalog.apply(DevCatalog.spec());
            demo = backend.accounts.createAccount("demo", DEMO_CREDIT);
            admin = backend.accounts.issueToken(null, "dev-admin");
            backend.tx.run(r -> r.settings().put(MARKER, "true"));
        } catch (RuntimeException e) {
            backend.tx.run(r -> r.settings().delete(MARKER));
            throw e;
        }
        LOG.info("Development catalog loaded: {} plans, {} images, {} locations, {} addresses", applied.plans(), applied.osImages(),
                applied.locations(), applied.addressesAdded());
        out.println();
        out.println("A fresh development instance. These tokens are shown only this once:");
        out.println("  demo account token (credit " + DEMO_CREDIT.toPlainString() + "): " + demo.token());
        out.println("  admin token:                      " + admin.token());
        out.println("Try: curl -H \"Authorization: Bearer " + demo.token() + "\" http://"
                + backend.config.host() + ":" + backend.config.port() + "/api/v1/servers/");
        out.println();
        out.flush();
    }
}
