package org.vpsd.server.api;

import io.javalin.http.Context;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.vpsd.server.config.CatalogFile;
import org.vpsd.server.domain.AccountService;
import org.vpsd.server.domain.CatalogService;
import org.vpsd.server.domain.FieldErrors;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.domain.Status;
import org.vpsd.server.engine.Machines;
import org.vpsd.server.engine.Reconciler;

/** The provider's API under {@code /admin/v1/}: accounts, tokens, credit, catalog, all servers. */
final class AdminHandlers {
    private final AccountService accounts;
    private final CatalogService catalog;
    private final ServerService servers;
    private final Reconciler reconciler;
    private final Machines machines;
    private final Paging paging;
    private final Supplier<Map<String, Object>> status;

    AdminHandlers(AccountService accounts, CatalogService catalog, ServerService servers, Reconciler reconciler, Machines machines,
            Paging paging, Supplier<Map<String, Object>> status) {
        this.accounts = accounts;
        this.catalog = catalog;
        this.servers = servers;
        this.reconciler = reconciler;
        this.machines = machines;
        this.paging = paging;
        this.status = status;
    }

    void status(Context ctx) {
        Respond.json(ctx, status.get());
    }

    void listAccounts(Context ctx) {
        var all = accounts.accounts();
        Paging.Window w = Paging.window(ctx);
        var page = all.stream().skip(w.offset()).limit(w.size()).map(AdminViews::account).toList();
        Respond.json(ctx, paging.page(ctx, w, all.size(), page));
    }

    void createAccount(Context ctx) {
        Fields f = new Fields(JsonBody.read(ctx)).only(Set.of("name", "credit"), Set.of("id", "balance", "suspended"));
        String name = f.string("name", false);
        BigDecimal credit = f.decimal("credit", true);
        var created = accounts.createAccount(name, credit, f.errors());
        Respond.json(ctx.status(201), AdminViews.created(created.account(), created.token()));
    }

    void getAccount(Context ctx) {
        Respond.json(ctx, AdminViews.account(accounts.account(PathIds.id(ctx, "id"))));
    }

    void credit(Context ctx) {
        long id = PathIds.id(ctx, "id");
        accounts.account(id);
        Fields f = new Fields(JsonBody.read(ctx)).only(Set.of("amount", "note"), Set.of());
        BigDecimal amount = f.decimal("amount", false);
        String note = f.string("note", true);
        f.errors().throwIfAny();
        Respond.json(ctx, AdminViews.account(accounts.addCredit(id, amount, note)));
    }

    void ledger(Context ctx) {
        long id = PathIds.id(ctx, "id");
        long after = parseLong(ctx.queryParam("after"), 0, "after");
        int limit = (int) Math.min(1000, parseLong(ctx.queryParam("limit"), 100, "limit"));
        Respond.json(ctx, Map.of("results", accounts.ledger(id, after, limit).stream().map(AdminViews::ledger).toList()));
    }

    private static long parseLong(String value, long fallback, String name) {
        if (value == null) {
            return fallback;
        }
        if (!value.matches("[0-9]{1,18}")) {
            throw FieldErrors.of(name, "A valid integer is required.");
        }
        return Long.parseLong(value);
    }

    void listTokens(Context ctx) {
        long id = PathIds.id(ctx, "id");
        Respond.json(ctx, Map.of("results", accounts.tokens(id).stream().map(AdminViews::token).toList()));
    }

    void createToken(Context ctx) {
        long id = PathIds.id(ctx, "id");
        accounts.account(id);
        issue(ctx, id);
    }

    private void issue(Context ctx, Long accountId) {
        Fields f = new Fields(JsonBody.read(ctx)).only(Set.of("name"), Set.of("id", "hint", "token"));
        String name = f.string("name", true);
        f.errors().throwIfAny();
        var t = accounts.issueToken(accountId, name);
        Respond.json(ctx.status(201), AdminViews.created(t.info(), t.token()));
    }

    void listAdminTokens(Context ctx) {
        Respond.json(ctx, Map.of("results", accounts.tokens(null).stream().map(AdminViews::token).toList()));
    }

    void createAdminToken(Context ctx) {
        issue(ctx, null);
    }

    void revokeToken(Context ctx) {
        accounts.revokeToken(PathIds.id(ctx, "id"));
        ctx.status(204);
    }

    void getCatalog(Context ctx) {
        Respond.json(ctx, CatalogFile.describe(catalog.plans(), catalog.osImages(), catalog.locations()));
    }

    void putCatalog(Context ctx) {
        var applied = catalog.apply(CatalogFile.parse(ctx.body()));
        Respond.json(ctx, applied);
    }

    void listServers(Context ctx) {
        Long account = ctx.queryParam("account") == null ? null : parseLong(ctx.queryParam("account"), 0, "account");
        Status st = null;
        String s = ctx.queryParam("status");
        if (s != null) {
            st = Status.fromWire(s).orElseThrow(() -> FieldErrors.of("status",
                    "Select a valid choice. " + s + " is not one of the available choices."));
        }
        Paging.Window w = Paging.window(ctx);
        var listing = servers.listAll(account, st, ctx.queryParam("location"), w.offset(), w.size());
        Respond.json(ctx, paging.page(ctx, w, listing.count(), Views.map(listing.servers(), AdminViews::server)));
    }

    void getServer(Context ctx) {
        long id = PathIds.id(ctx, "id");
        Respond.json(ctx, AdminViews.server(servers.providerView(id), machines.name(id)));
    }

    void unknownMachines(Context ctx) {
        List<Map<String, String>> machinesFound = reconciler.unknownMachines().entrySet().stream()
                .map(e -> Map.of("name", e.getKey(), "host", e.getValue())).toList();
        Respond.json(ctx, Map.of("count", machinesFound.size(), "results", machinesFound));
    }
}
