package org.vpsd.server.api;

import io.javalin.http.Context;
import java.util.Set;
import org.vpsd.server.domain.Action;
import org.vpsd.server.domain.FieldErrors;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.ServerRequests;
import org.vpsd.server.domain.ServerService;
import org.vpsd.server.domain.Status;

/** The nine documented endpoints of {@code /api/v1/servers/}. */
final class ServerHandlers {
    private static final Set<String> CREATE =
            Set.of("name", "plan_id", "os_id", "location", "hostname", "ssh_key_id", "backups_enabled");
    private static final Set<String> UPDATE = Set.of("name", "hostname", "backups_enabled");
    private static final Set<String> READ_ONLY = Set.of("id", "status", "ip_address", "ipv6_address", "plan", "os",
            "resource_usage", "created_at", "updated_at", "message", "plan_id", "os_id", "location", "ssh_key_id");

    private final ServerService servers;
    private final Auth auth;
    private final Paging paging;

    ServerHandlers(ServerService servers, Auth auth, Paging paging) {
        this.servers = servers;
        this.auth = auth;
        this.paging = paging;
    }

    void list(Context ctx) {
        long account = auth.account(ctx);
        Status status = null;
        String s = ctx.queryParam("status");
        if (s != null) {
            status = Status.fromWire(s).orElseThrow(() -> FieldErrors.of("status",
                    "Select a valid choice. " + s + " is not one of the available choices."));
        }
        String location = ctx.queryParam("location");
        Paging.Window w = Paging.window(ctx);
        var listing = servers.list(account, status, location, w.offset(), w.size());
        Respond.json(ctx, paging.page(ctx, w, listing.count(), Views.map(listing.servers(), Views::summary)));
    }

    void create(Context ctx) {
        long account = auth.account(ctx);
        Fields f = new Fields(JsonBody.read(ctx)).only(CREATE, READ_ONLY);
        var req = new ServerRequests.Create(f.string("name", false), f.integer("plan_id", false), f.integer("os_id", false),
                f.string("location", false), f.string("hostname", true), f.integer("ssh_key_id", true),
                f.bool("backups_enabled", false));
        Server s = servers.create(account, req, f.errors());
        Respond.json(ctx.status(201).header("Location", "/api/v1/servers/" + s.id() + "/"), Views.created(s));
    }

    void get(Context ctx) {
        Respond.json(ctx, Views.detail(servers.get(auth.account(ctx), PathIds.id(ctx, "id"))));
    }

    void put(Context ctx) {
        update(ctx, true);
    }

    void patch(Context ctx) {
        update(ctx, false);
    }

    private void update(Context ctx, boolean full) {
        long account = auth.account(ctx);
        long id = PathIds.id(ctx, "id");
        if (!servers.exists(account, id)) {
            throw ApiError.notFound();
        }
        Fields f = new Fields(JsonBody.read(ctx)).only(UPDATE, READ_ONLY);
        var req = new ServerRequests.Update(f.string("name", false), f.string("hostname", false), f.bool("backups_enabled", false),
                full);
        Respond.json(ctx, Views.detail(servers.update(account, id, req, f.errors())));
    }

    void delete(Context ctx) {
        long account = auth.account(ctx);
        long id = PathIds.id(ctx, "id");
        noBody(ctx);
        servers.act(account, id, Action.DELETE);
        ctx.status(204);
    }

    void start(Context ctx) {
        act(ctx, Action.START);
    }

    void stop(Context ctx) {
        act(ctx, Action.STOP);
    }

    void reboot(Context ctx) {
        act(ctx, Action.REBOOT);
    }

    private void act(Context ctx, Action action) {
        long account = auth.account(ctx);
        long id = PathIds.id(ctx, "id");
        noBody(ctx);
        Respond.json(ctx, Views.action(action, servers.act(account, id, action)));
    }

    /** An endpoint that takes no body: anything but an empty body or {} is a client error. */
    static void noBody(Context ctx) {
        new Fields(JsonBody.read(ctx)).only(Set.of(), Set.of()).errors().throwIfAny();
    }
}
