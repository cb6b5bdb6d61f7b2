package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;

/**
 * How servers are billed. Credit is prepaid; a server costs its plan's price for every billing
 * period (an hour) that begins while it exists, counted from its creation: period 0 is charged
 * when the server is created, period k when {@code createdAt + k * period} arrives, and a deleted
 * server is charged for the periods that began before it was deleted. Each period is charged
 * exactly once.
 */
public final class BillingRules {
    /** Hours in an average month, for showing a monthly price. */
    public static final BigDecimal HOURS_PER_MONTH = BigDecimal.valueOf(730);

    private BillingRules() {}

    /** How many periods have begun by {@code now} (or before deletion, for a deleted server). */
    public static int periodsDue(Instant createdAt, Instant deletedAt, Instant now, Duration period) {
        long p = period.toMillis();
        if (deletedAt != null && !deletedAt.isAfter(now)) {
            long lived = Math.max(1, Duration.between(createdAt, deletedAt).toMillis());
            return (int) Math.max(1, (lived + p - 1) / p);
        }
        long age = Math.max(0, Duration.between(createdAt, now).toMillis());
        return (int) (age / p + 1);
    }

    /** When the period after the {@code billed} charged ones begins, or null if none will. */
    public static Instant nextChargeAt(Instant createdAt, Instant deletedAt, int billed, Duration period) {
        Instant next = createdAt.plus(period.multipliedBy(billed));
        return deletedAt != null && !next.isBefore(deletedAt) ? null : next;
    }

    /** Whether a balance pays for one period at {@code price}. */
    public static boolean covers(BigDecimal balance, BigDecimal price) {
        return balance.compareTo(price) >= 0;
    }

    /** A balance at or below zero suspends the account's servers. */
    public static boolean exhausted(BigDecimal balance) {
        return balance.signum() <= 0;
    }

    public static BigDecimal monthly(BigDecimal hourly) {
        return hourly.multiply(HOURS_PER_MONTH).setScale(2, RoundingMode.HALF_UP);
    }
}
