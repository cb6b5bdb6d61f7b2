package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The provider's side of accounts: accounts, their tokens and credit, admin tokens, and authentication. */
public final class AccountService {
    /** Credit amounts carry at most six decimals and stay below a trillion. */
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000000");

    /** How long a token's owner is remembered before the database is asked again. */
    public static final java.time.Duration TOKEN_CACHE = java.time.Duration.ofSeconds(2);
    private static final int TOKEN_CACHE_ENTRIES = 50_000;

    private final Transactor tx;
    private final Clock clock;
    private final java.util.concurrent.ConcurrentHashMap<String, CachedPrincipal> principals =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record CachedPrincipal(Principal principal, long tokenId, long expiresAtNanos) {}

    public AccountService(Transactor tx, Clock clock) {
        this.tx = tx;
        this.clock = clock;
    }

    /** A new account and its first token (shown once). */
    public record Created(Account account, String token) {}

    /** A new token (shown once) and what is stored of it. */
    public record IssuedToken(Repositories.TokenInfo info, String token) {}

    public Created createAccount(String name, BigDecimal credit) {
        return createAccount(name, credit, new FieldErrors());
    }

    /** Creates an account, adding its own findings to {@code errors} (type errors found by the caller). */
    public Created createAccount(String name, BigDecimal credit, FieldErrors errors) {
        if (name == null) {
            if (!errors.has("name")) {
                errors.add("name", "This field is required.");
            }
        } else if (name.isBlank()) {
            errors.add("name", "This field may not be blank.");
        } else if (name.length() > 100) {
            errors.add("name", "Ensure this field has no more than 100 characters.");
        }
        BigDecimal amount = credit == null ? BigDecimal.ZERO : credit;
        if (!errors.has("credit")) {
            checkAmount(errors, "credit", amount, true);
        }
        errors.throwIfAny();
        Instant now = clock.instant();
        return tx.inTransaction(r -> {
            if (r.accounts().findByName(name).isPresent()) {
                throw FieldErrors.of("name", "An account with this name already exists.");
            }
            long id = r.accounts().insert(name, BigDecimal.ZERO, now);
            if (amount.signum() > 0) {
                BigDecimal balance = r.accounts().add(id, amount);
                r.ledger().credit(id, amount, balance, now, "Initial credit");
            }
            Tokens.Issued t = Tokens.issue(false);
            r.tokens().insert(id, "default", t.hash(), t.hint(), now);
            return new Created(r.accounts().find(id).orElseThrow(), t.secret());
        });
    }

    private static void checkAmount(FieldErrors errors, String field, BigDecimal amount, boolean zeroAllowed) {
        if (amount.scale() > 6) {
            errors.add(field, "Ensure that there are no more than 6 decimal places.");
        } else if (amount.signum() < 0 || (!zeroAllowed && amount.signum() == 0)) {
            errors.add(field, zeroAllowed ? "Ensure this value is greater than or equal to 0." : "Ensure this value is greater than 0.");
        } else if (amount.compareTo(MAX_AMOUNT) >= 0) {
            errors.add(field, "Ensure this value is less than " + MAX_AMOUNT.toPlainString() + ".");
        }
    }

    public Account account(long id) {
        return tx.read(r -> r.accounts().find(id)).orElseThrow(DomainException.NotFound::new);
    }

    public Optional<Account> accountByName(String name) {
        return tx.read(r -> r.accounts().findByName(name));
    }

    public List<Account> accounts() {
        return tx.read(r -> r.accounts().list());
    }

    /** Adds credit; lifts the account's suspension if the balance is positive again. */
    public Account addCredit(long accountId, BigDecimal amount, String note) {
        FieldErrors errors = new FieldErrors();
        if (amount == null) {
            errors.add("amount", "This field is required.");
        } else {
            checkAmount(errors, "amount", amount, false);
        }
        if (note != null && note.length() > 500) {
            errors.add("note", "Ensure this field has no more than 500 characters.");
        }
        errors.throwIfAny();
        Instant now = clock.instant();
        return tx.inTransaction(r -> {
            Account a = r.accounts().lock(accountId).orElseThrow(DomainException.NotFound::new);
            BigDecimal balance = r.accounts().add(a.id(), amount);
            r.ledger().credit(a.id(), amount, balance, now, note == null || note.isBlank() ? "Credit" : note);
            if (a.suspended() && !BillingRules.exhausted(balance)) {
                Suspensions.resume(r, a.id(), now);
            }
            return r.accounts().find(a.id()).orElseThrow();
        });
    }

    public List<LedgerEntry> ledger(long accountId, long afterId, int limit) {
        return tx.read(r -> {
            r.accounts().find(accountId).orElseThrow(DomainException.NotFound::new);
            return r.ledger().list(accountId, afterId, limit);
        });
    }

    public IssuedToken issueToken(Long accountId, String name) {
        Instant now = clock.instant();
        boolean admin = accountId == null;
        String tokenName = name == null || name.isBlank() ? (admin ? "admin" : "token") : name;
        if (tokenName.length() > 100) {
            throw FieldErrors.of("name", "Ensure this field has no more than 100 characters.");
        }
        return tx.inTransaction(r -> {
            if (!admin) {
                r.accounts().find(accountId).orElseThrow(DomainException.NotFound::new);
            }
            Tokens.Issued t = Tokens.issue(admin);
            long id = r.tokens().insert(accountId, tokenName, t.hash(), t.hint(), now);
            return new IssuedToken(r.tokens().find(id).orElseThrow(), t.secret());
        });
    }

    public List<Repositories.TokenInfo> tokens(Long accountId) {
        return tx.read(r -> {
            if (accountId != null) {
                r.accounts().find(accountId).orElseThrow(DomainException.NotFound::new);
            }
            return r.tokens().list(accountId, accountId == null);
        });
    }

    /**
     * Revokes a token; revoking one that is revoked already is not an error. The token stops
     * working at once in this process, and within {@link #TOKEN_CACHE} in every other replica.
     */
    public void revokeToken(long tokenId) {
        Instant now = clock.instant();
        tx.run(r -> {
            r.tokens().find(tokenId).orElseThrow(DomainException.NotFound::new);
            r.tokens().revoke(tokenId, now);
        });
        principals.values().removeIf(c -> c.tokenId() == tokenId);
    }

    /**
     * Who the token speaks for, if it is a live token. A live token's owner is remembered for
     * {@link #TOKEN_CACHE}, so that a client's requests do not each cost a database query.
     */
    public Optional<Principal> authenticate(String secret) {
        if (!Tokens.plausible(secret)) {
            return Optional.empty();
        }
        long nowNanos = System.nanoTime();
        CachedPrincipal cached = principals.get(secret);
        if (cached != null && nowNanos - cached.expiresAtNanos() < 0) {
            return Optional.of(cached.principal());
        }
        String hash = Tokens.hash(secret);
        Optional<Principal> found = tx.read(r -> r.tokens().findActive(hash));
        if (found.isPresent()) {
            if (principals.size() >= TOKEN_CACHE_ENTRIES) {
                principals.clear();
            }
            principals.put(secret, new CachedPrincipal(found.get(), found.get().tokenId(), nowNanos + TOKEN_CACHE.toNanos()));
        } else {
            principals.remove(secret);
        }
        return found;
    }
}
