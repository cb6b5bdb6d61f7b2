package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Charges the billing periods that have begun (see {@link BillingRules}), each exactly once: a
 * server's charged count moves forward only from the value that was read, and the ledger refuses a
 * second charge of the same period of the same server. Periods missed while vpsd was down are
 * caught up. An account whose balance reaches zero is suspended.
 */
public final class Billing {
    private final Transactor tx;
    private final Clock clock;
    private final Duration period;
    private final WorkSignal signal;

    public Billing(Transactor tx, Clock clock, Duration period, WorkSignal signal) {
        this.tx = tx;
        this.clock = clock;
        this.period = period;
        this.signal = signal;
    }

    public Duration period() {
        return period;
    }

    /** Charges what is due, up to {@code batch} servers; returns the number of periods charged. */
    public int chargeDue(int batch) {
        Instant now = clock.instant();
        List<Repositories.Billable> due = tx.read(r -> r.servers().dueForCharge(now, batch));
        int charged = 0;
        boolean suspended = false;
        for (Repositories.Billable b : due) {
            Outcome o = tx.inTransaction(r -> charge(r, b, now));
            charged += o.periods();
            suspended |= o.suspended();
        }
        if (suspended) {
            signal.workAdded();
        }
        return charged;
    }

    private record Outcome(int periods, boolean suspended) {}

    private Outcome charge(Repositories r, Repositories.Billable b, Instant now) {
        int due = BillingRules.periodsDue(b.createdAt(), b.deletedAt(), now, period);
        int from = b.billedPeriods();
        Instant next = BillingRules.nextChargeAt(b.createdAt(), b.deletedAt(), Math.max(due, from), period);
        Account account = r.accounts().lock(b.accountId()).orElseThrow();
        if (!r.servers().advanceBilling(b.id(), from, Math.max(due, from), next) || due <= from) {
            return new Outcome(0, false);
        }
        BigDecimal balance = account.balance();
        for (int p = from; p < due; p++) {
            balance = balance.subtract(b.hourlyPrice());
            if (!r.ledger().charge(account.id(), b.id(), p, b.hourlyPrice(), balance, now)) {
                throw new IllegalStateException("period " + p + " of server " + b.id() + " was charged twice");
            }
        }
        r.accounts().add(account.id(), b.hourlyPrice().multiply(BigDecimal.valueOf(due - from)).negate());
        if (BillingRules.exhausted(balance) && !account.suspended()) {
            Suspensions.suspend(r, account.id(), now);
            return new Outcome(due - from, true);
        }
        return new Outcome(due - from, false);
    }
}
