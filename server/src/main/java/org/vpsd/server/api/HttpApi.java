package org.vpsd.server.api;

import static org.vpsd.server.api.Route.Access.ADMIN;
import static org.vpsd.server.api.Route.Access.CUSTOMER;
import static org.vpsd.server.api.Route.Access.PUBLIC;
import static org.vpsd.server.api.Route.delete;
import static org.vpsd.server.api.Route.get;
import static org.vpsd.server.api.Route.patch;
import static org.vpsd.server.api.Route.post;
import static org.vpsd.server.api.Route.put;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.json.JsonMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.vpsd.client.Wire;

/**
 * The HTTP face of vpsd: every route in one table, thin handlers, bearer authentication by the
 * table's access column, one error mapper. Javalin serves it on virtual threads.
 */
public final class HttpApi {
    /** What the routes need, built by {@code App}. */
    public record Services(
            org.vpsd.server.domain.ServerService servers,
            org.vpsd.server.domain.AccountService accounts,
            org.vpsd.server.domain.CatalogService catalog,
            org.vpsd.server.domain.SshKeyService sshKeys,
            org.vpsd.server.engine.Reconciler reconciler,
            org.vpsd.server.engine.Machines machines,
            org.vpsd.server.driver.SimulatedHypervisor simulator,
            PrometheusMeterRegistry metrics,
            BooleanSupplier ready,
            java.util.function.Supplier<Map<String, Object>> status,
            String publicUrl) {}

    private HttpApi() {}

    /** The route table. Paths are written without a trailing slash; both forms are served. */
    static List<Route> routes(Services s, Auth auth) {
        Paging paging = new Paging(s.publicUrl());
        var servers = new ServerHandlers(s.servers(), auth, paging);
        var catalog = new CatalogHandlers(s.catalog(), auth, paging);
        var keys = new SshKeyHandlers(s.sshKeys(), auth, paging);
        var admin = new AdminHandlers(s.accounts(), s.catalog(), s.servers(), s.reconciler(), s.machines(), paging, s.status());
        var sim = new SimulatorHandlers(s.simulator(), s.servers(), s.machines());
        return List.of(
                get("/api/v1/servers", CUSTOMER, servers::list),
                post("/api/v1/servers", CUSTOMER, servers::create),
                get("/api/v1/servers/{id}", CUSTOMER, servers::get),
                put("/api/v1/servers/{id}", CUSTOMER, servers::put),
                patch("/api/v1/servers/{id}", CUSTOMER, servers::patch),
                delete("/api/v1/servers/{id}", CUSTOMER, servers::delete),
                post("/api/v1/servers/{id}/start", CUSTOMER, servers::start),
                post("/api/v1/servers/{id}/stop", CUSTOMER, servers::stop),
                post("/api/v1/servers/{id}/reboot", CUSTOMER, servers::reboot),

                get("/api/v1/plans", CUSTOMER, catalog::plans),
                get("/api/v1/os", CUSTOMER, catalog::os),
                get("/api/v1/locations", CUSTOMER, catalog::locations),
                get("/api/v1/ssh-keys", CUSTOMER, keys::list),
                post("/api/v1/ssh-keys", CUSTOMER, keys::create),
                get("/api/v1/ssh-keys/{id}", CUSTOMER, keys::get),
                delete("/api/v1/ssh-keys/{id}", CUSTOMER, keys::delete),

                get("/api/v1/openapi.json", PUBLIC, OpenApi::serve),
                get("/healthz", PUBLIC, ctx -> Respond.json(ctx, Map.of("status", "ok"))),
                get("/readyz", PUBLIC, ctx -> ready(ctx, s.ready())),
                get("/metrics", ADMIN, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(s.metrics().scrape())),

                get("/admin/v1/status", ADMIN, admin::status),
                get("/admin/v1/accounts", ADMIN, admin::listAccounts),
                post("/admin/v1/accounts", ADMIN, admin::createAccount),
                get("/admin/v1/accounts/{id}", ADMIN, admin::getAccount),
                post("/admin/v1/accounts/{id}/credit", ADMIN, admin::credit),
                get("/admin/v1/accounts/{id}/ledger", ADMIN, admin::ledger),
                get("/admin/v1/accounts/{id}/tokens", ADMIN, admin::listTokens),
                post("/admin/v1/accounts/{id}/tokens", ADMIN, admin::createToken),
                get("/admin/v1/admin-tokens", ADMIN, admin::listAdminTokens),
                post("/admin/v1/admin-tokens", ADMIN, admin::createAdminToken),
                delete("/admin/v1/tokens/{id}", ADMIN, admin::revokeToken),
                get("/admin/v1/catalog", ADMIN, admin::getCatalog),
                put("/admin/v1/catalog", ADMIN, admin::putCatalog),
                get("/admin/v1/servers", ADMIN, admin::listServers),
                get("/admin/v1/servers/{id}", ADMIN, admin::getServer),
                get("/admin/v1/unknown-machines", ADMIN, admin::unknownMachines),
                get("/admin/v1/simulator", ADMIN, sim::get),
                put("/admin/v1/simulator/faults/{operation}", ADMIN, sim::putFault),
                delete("/admin/v1/simulator/faults", ADMIN, sim::clear),
                put("/admin/v1/simulator/ignore-acpi", ADMIN, sim::ignoreAcpi),
                post("/admin/v1/simulator/servers/{id}/guest-power-off", ADMIN, sim::guestPowerOff),
                post("/admin/v1/simulator/servers/{id}/crash", ADMIN, sim::crash));
    }

    private static void ready(Context ctx, BooleanSupplier ready) {
        if (ready.getAsBoolean()) {
            Respond.json(ctx, Map.of("status", "ready"));
        } else {
            ErrorMapper.detail(ctx, 503, "The database cannot be reached.");
        }
    }

    /** Builds the Javalin application (not started). */
    public static Javalin create(Services services, String host, int port) {
        Auth auth = new Auth(services.accounts());
        List<Route> routes = routes(services, auth);
        return Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.router.ignoreTrailingSlashes = true;
            config.router.treatMultipleSlashesAsSingleSlash = true;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = JsonBody.LIMIT * 64L;
            config.http.generateEtags = false;
            config.http.defaultContentType = "application/json";
            config.startup.showJavalinBanner = false;
            config.jetty.host = host;
            config.jetty.port = port;
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(5_000);
                server.setErrorHandler(new JsonErrorHandler());
            });
            config.jsonMapper(new WireJson());
            config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                rule.path = "/api/*";
                rule.reflectClientOrigin = true;
            }));
            for (Route r : routes) {
                config.routes.addHttpHandler(r.method(), r.path(), guarded(r, auth));
            }
            // Javalin answers its own errors (no route, wrong method, body too large) with a body of its own
            // unless a handler for them is registered: they too get the one error shape.
            config.routes.exception(io.javalin.http.HttpResponseException.class, ErrorMapper::handle);
            config.routes.exception(Exception.class, ErrorMapper::handle);
            config.routes.before(HttpApi::checkRequest);
            config.routes.error(404, ctx -> {
                if (ctx.result() == null) {
                    ErrorMapper.detail(ctx, 404, "Not found.");
                }
            });
            config.routes.error(405, ctx -> ErrorMapper.detail(ctx, 405, "Method \"" + ctx.method().name() + "\" not allowed."));
        });
    }

    /**
     * What Javalin would silently honour or drop is refused instead: a method override header (a GET
     * must not act as a POST), query parameters that do not decode or hold NUL characters.
     */
    static void checkRequest(Context ctx) {
        if (ctx.req().getHeader("X-HTTP-Method-Override") != null) {
            throw new ApiError(400, "X-HTTP-Method-Override is not supported.");
        }
        String q = ctx.queryString();
        if (q == null) {
            return;
        }
        for (String pair : q.split("&")) {
            String[] kv = pair.split("=", 2);
            String key;
            String value;
            try {
                key = java.net.URLDecoder.decode(kv[0], java.nio.charset.StandardCharsets.UTF_8);
                value = kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "";
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "Malformed query string.");
            }
            if (value.indexOf('\u0000') >= 0 || key.indexOf('\u0000') >= 0) {
                throw org.vpsd.server.domain.FieldErrors.of(key, "Null characters are not allowed.");
            }
        }
    }

    private static Handler guarded(Route r, Auth auth) {
        return switch (r.access()) {
            case PUBLIC -> r.handler();
            case CUSTOMER -> ctx -> {
                auth.account(ctx);
                r.handler().handle(ctx);
            };
            case ADMIN -> ctx -> {
                auth.admin(ctx);
                r.handler().handle(ctx);
            };
        };
    }

    /** Jackson with the wire configuration, for Javalin. */
    static final class WireJson implements JsonMapper {
        @Override
        public String toJsonString(Object obj, Type type) {
            try {
                return Wire.mapper().writeValueAsString(obj);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public <T> T fromJsonString(String json, Type type) {
            try {
                return Wire.mapper().readValue(json, Wire.mapper().constructType(type));
            } catch (IOException e) {
                throw new ApiError(400, "JSON parse error - " + e.getMessage());
            }
        }

        @Override
        public <T> T fromJsonStream(InputStream json, Type type) {
            try {
                return Wire.mapper().readValue(json, Wire.mapper().constructType(type));
            } catch (IOException e) {
                throw new ApiError(400, "JSON parse error - " + e.getMessage());
            }
        }
    }
}
