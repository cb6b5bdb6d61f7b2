package org.vpsd.server.domain;

import java.time.Instant;

/**
 * Suspending and resuming an account's servers, inside the caller's transaction, with the
 * account's row locked by the caller. A suspended account's servers are powered off and show
 * {@code suspended}; servers in the middle of an operation are suspended when it ends (see the
 * engine). Resuming leaves them {@code stopped}.
 *
 * <p>Each server's row is locked and its status read again under the lock before deciding: the
 * engine finishes an operation holding the server's row only, and reads the account's flag after
 * taking it, so a server is never left {@code active} on a suspended account.
 */
public final class Suspensions {
    public static final String REASON = "Suspended: the account's credit is exhausted.";

    private Suspensions() {}

    public static void suspend(Repositories r, long accountId, Instant now) {
        r.accounts().setSuspended(accountId, true);
        for (Repositories.IdStatus s : r.servers().ofAccount(accountId)) {
            Status current = r.servers().lock(s.id()).orElse(Status.DELETED);
            if (!current.transitional() && current != Status.SUSPENDED && current != Status.DELETED) {
                r.servers().setStatus(s.id(), Status.SUSPENDED, REASON, now);
                r.tasks().insert(s.id(), Operation.SUSPEND, now, now);
                r.events().append(s.id(), "suspended", "Powered off and suspended: the account's credit is exhausted.", now);
            }
        }
    }

    public static void resume(Repositories r, long accountId, Instant now) {
        r.accounts().setSuspended(accountId, false);
        for (Repositories.IdStatus s : r.servers().ofAccount(accountId)) {
            Status current = r.servers().lock(s.id()).orElse(Status.DELETED);
            if (current == Status.SUSPENDED && r.tasks().find(s.id()).isEmpty()) {
                r.servers().setStatus(s.id(), Status.STOPPED, null, now);
                r.events().append(s.id(), "resumed", "Credit added: suspension lifted, the server stays stopped.", now);
            }
        }
    }

    /** The status a finished operation leaves, given whether the account is suspended now. */
    public static Status settle(Operation op, boolean accountSuspended) {
        if (op == Operation.DELETE) {
            return Status.DELETED;
        }
        if (op == Operation.SUSPEND) {
            return accountSuspended ? Status.SUSPENDED : Status.STOPPED;
        }
        return accountSuspended ? Status.SUSPENDED : op.done();
    }
}
