package org.vpsd.server.api;

import io.javalin.http.Context;
import java.util.List;
import java.util.function.Function;
import org.vpsd.server.domain.CatalogService;

/** {@code /api/v1/plans/}, {@code /api/v1/os/}, {@code /api/v1/locations/}: what customers can order. */
final class CatalogHandlers {
    private final CatalogService catalog;
    private final Auth auth;
    private final Paging paging;

    CatalogHandlers(CatalogService catalog, Auth auth, Paging paging) {
        this.catalog = catalog;
        this.auth = auth;
        this.paging = paging;
    }

    void plans(Context ctx) {
        auth.account(ctx);
        list(ctx, catalog.plans().stream().filter(p -> p.available()).toList(), Views::plan);
    }

    void os(Context ctx) {
        auth.account(ctx);
        list(ctx, catalog.osImages().stream().filter(o -> o.available()).toList(), Views::os);
    }

    void locations(Context ctx) {
        auth.account(ctx);
        list(ctx, catalog.locations().stream().filter(l -> l.available()).toList(), Views::location);
    }

    private <A, B> void list(Context ctx, List<A> all, Function<A, B> view) {
        Paging.Window w = Paging.window(ctx);
        List<A> page = all.stream().skip(w.offset()).limit(w.size()).toList();
        Respond.json(ctx, paging.page(ctx, w, all.size(), Views.map(page, view)));
    }
}
