package org.vpsd.server.api;

import io.javalin.http.Context;
import java.util.Set;
import org.vpsd.server.domain.SshKeyRecord;
import org.vpsd.server.domain.SshKeyService;

/** {@code /api/v1/ssh-keys/}: a customer's keys, to install on new servers with {@code ssh_key_id}. */
final class SshKeyHandlers {
    private static final Set<String> WRITABLE = Set.of("name", "public_key");
    private static final Set<String> READ_ONLY = Set.of("id", "fingerprint", "created_at");

    private final SshKeyService keys;
    private final Auth auth;
    private final Paging paging;

    SshKeyHandlers(SshKeyService keys, Auth auth, Paging paging) {
        this.keys = keys;
        this.auth = auth;
        this.paging = paging;
    }

    void list(Context ctx) {
        long account = auth.account(ctx);
        Paging.Window w = Paging.window(ctx);
        SshKeyService.Listing listing = keys.list(account, w.offset(), w.size());
        Respond.json(ctx, paging.page(ctx, w, listing.count(), Views.map(listing.keys(), Views::sshKey)));
    }

    void create(Context ctx) {
        long account = auth.account(ctx);
        Fields f = new Fields(JsonBody.read(ctx)).only(WRITABLE, READ_ONLY);
        SshKeyRecord k = keys.create(account, f.string("name", true), f.string("public_key", false), f.errors());
        Respond.json(ctx.status(201).header("Location", "/api/v1/ssh-keys/" + k.id() + "/"), Views.sshKey(k));
    }

    void get(Context ctx) {
        Respond.json(ctx, Views.sshKey(keys.get(auth.account(ctx), PathIds.id(ctx, "id"))));
    }

    void delete(Context ctx) {
        keys.delete(auth.account(ctx), PathIds.id(ctx, "id"));
        ctx.status(204);
    }
}
