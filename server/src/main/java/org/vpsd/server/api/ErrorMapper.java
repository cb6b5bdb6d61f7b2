package org.vpsd.server.api;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.client.wire.ErrorBody;
import org.vpsd.server.domain.DomainException;
import org.vpsd.server.domain.FieldErrors;
import org.vpsd.server.store.StoreUnavailableException;

/**
 * The one place exceptions become responses. Every error body is Django REST Framework's:
 * {@code {"detail": "..."}}, or {@code {"field": ["message", ...]}} for invalid fields.
 *
 * <pre>
 * exception                          status  body
 * FieldErrors.Invalid                400     {"field": ["..."]}
 * DomainException.InvalidState       400     {"detail": "Server is already running"}
 * ApiError                           its own {"detail": ...} (401 with WWW-Authenticate, 413, 415, ...)
 * DomainException.PaymentRequired    402     {"detail": ...}
 * DomainException.NotFound           404     {"detail": "Not found."}
 * DomainException.Conflict           409     {"detail": ...}
 * IllegalArgumentException (admin)   400     {"detail": ...}
 * Javalin's HttpResponseException    its own {"detail": ...} (404 no route, 405 wrong method)
 * StoreUnavailableException          503     {"detail": ...} with Retry-After
 * anything else                      500     {"detail": "Internal server error."}, logged with its stack
 * </pre>
 */
final class ErrorMapper {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    static void handle(Exception e, Context ctx) {
        switch (e) {
            case FieldErrors.Invalid invalid -> ctx.status(400).json(invalid.errors());
            case DomainException.InvalidState s -> detail(ctx, 400, s.getMessage());
            case DomainException.PaymentRequired p -> detail(ctx, 402, p.getMessage());
            case DomainException.NotFound n -> detail(ctx, 404, n.getMessage());
            case DomainException.Conflict c -> detail(ctx, 409, c.getMessage());
            case ApiError a -> {
                if (a.header != null) {
                    ctx.header(a.header, a.headerValue);
                }
                detail(ctx, a.status, a.getMessage());
            }
            case StoreUnavailableException u -> {
                LOG.debug("{} {}: {}", ctx.method(), ctx.path(), u.getCause() == null ? u : u.getCause().toString());
                ctx.header("Retry-After", "5");
                detail(ctx, 503, u.detail());
            }
            case HttpResponseException h -> httpResponse(ctx, h);
            case IllegalArgumentException i when ctx.path().startsWith("/admin/") -> detail(ctx, 400, i.getMessage());
            default -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                detail(ctx, 500, "Internal server error.");
            }
        }
    }

    private static void httpResponse(Context ctx, HttpResponseException h) {
        switch (h.getStatus()) {
            case 404 -> detail(ctx, 404, "Not found.");
            case 405 -> {
                String allowed = h.getDetails().get("availableMethods");
                if (allowed != null) {
                    ctx.header("Allow", allowed);
                }
                detail(ctx, 405, "Method \"" + ctx.method().name() + "\" not allowed.");
            }
            case 413 -> detail(ctx, 413, "Request body too large.");
            default -> detail(ctx, h.getStatus(), h.getMessage());
        }
    }

    static void detail(Context ctx, int status, String detail) {
        ctx.status(status).json(new ErrorBody(detail));
    }
}
