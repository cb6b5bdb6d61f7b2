package org.vpsd.server.api;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.regex.Pattern;
import org.vpsd.server.domain.AccountService;
import org.vpsd.server.domain.Principal;

/**
 * Bearer authentication: {@code Authorization: Bearer <token>} (the keyword {@code Token} is
 * accepted too, as Django REST Framework uses it). Customer tokens reach {@code /api/}, admin
 * tokens {@code /admin/}; the messages are DRF's.
 */
final class Auth {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final String PRINCIPAL = "vpsd.principal";

    private final AccountService accounts;

    Auth(AccountService accounts) {
        this.accounts = accounts;
    }

    Principal principal(Context ctx) {
        Principal cached = ctx.attribute(PRINCIPAL);
        if (cached != null) {
            return cached;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw ApiError.unauthorized("Authentication credentials were not provided.");
        }
        String[] parts = WHITESPACE.split(header.trim());
        String keyword = parts[0].toLowerCase(Locale.ROOT);
        if (!keyword.equals("bearer") && !keyword.equals("token")) {
            throw ApiError.unauthorized("Authentication credentials were not provided.");
        }
        if (parts.length == 1) {
            throw ApiError.unauthorized("Invalid token header. No credentials provided.");
        }
        if (parts.length > 2) {
            throw ApiError.unauthorized("Invalid token header. Token string should not contain spaces.");
        }
        Principal p = accounts.authenticate(parts[1]).orElseThrow(() -> ApiError.unauthorized("Invalid token."));
        ctx.attribute(PRINCIPAL, p);
        return p;
    }

    /** The account a customer token speaks for; 403 for an admin token. */
    long account(Context ctx) {
        Principal p = principal(ctx);
        if (p.admin()) {
            throw new ApiError(403, "This endpoint needs a customer's token; admin tokens act through /admin/v1/.");
        }
        return p.accountId();
    }

    void admin(Context ctx) {
        if (!principal(ctx).admin()) {
            throw ApiError.forbidden();
        }
    }
}
