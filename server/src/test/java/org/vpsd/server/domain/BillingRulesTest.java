package org.vpsd.server.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BillingRulesTest {
    static final Instant T0 = Instant.parse("2025-01-10T14:30:00Z");
    static final Duration HOUR = Duration.ofHours(1);

    @Test
    void anHourIsDueWhenItBegins() {
        assertThat(BillingRules.periodsDue(T0, null, T0, HOUR)).isEqualTo(1);
        assertThat(BillingRules.periodsDue(T0, null, T0.plusSeconds(3599), HOUR)).isEqualTo(1);
        assertThat(BillingRules.periodsDue(T0, null, T0.plusSeconds(3600), HOUR)).isEqualTo(2);
        assertThat(BillingRules.periodsDue(T0, null, T0.plus(Duration.ofDays(1)), HOUR)).isEqualTo(25);
    }

    @Test
    void aDeletedServerPaysForTheHoursThatBeganBeforeItWentAway() {
        Instant deleted = T0.plusSeconds(600);
        assertThat(BillingRules.periodsDue(T0, deleted, T0.plus(Duration.ofDays(3)), HOUR)).isEqualTo(1);
        assertThat(BillingRules.periodsDue(T0, T0.plusSeconds(3600), T0.plus(Duration.ofDays(3)), HOUR)).isEqualTo(1);
        assertThat(BillingRules.periodsDue(T0, T0.plusSeconds(3601), T0.plus(Duration.ofDays(3)), HOUR)).isEqualTo(2);
        assertThat(BillingRules.periodsDue(T0, T0.plusMillis(1), T0.plusSeconds(5), HOUR)).isEqualTo(1);
    }

    @Test
    void theNextChargeIsAtTheStartOfTheNextHourUnlessTheServerIsGone() {
        assertThat(BillingRules.nextChargeAt(T0, null, 1, HOUR)).isEqualTo(T0.plusSeconds(3600));
        assertThat(BillingRules.nextChargeAt(T0, T0.plusSeconds(3600), 1, HOUR)).isNull();
        assertThat(BillingRules.nextChargeAt(T0, T0.plusSeconds(3601), 1, HOUR)).isEqualTo(T0.plusSeconds(3600));
    }

    @Test
    void creditCoversAnHourWhenItIsAtLeastThePrice() {
        assertThat(BillingRules.covers(new BigDecimal("0.03"), new BigDecimal("0.030000"))).isTrue();
        assertThat(BillingRules.covers(new BigDecimal("0.029999"), new BigDecimal("0.03"))).isFalse();
        assertThat(BillingRules.exhausted(BigDecimal.ZERO)).isTrue();
        assertThat(BillingRules.exhausted(new BigDecimal("0.000001"))).isFalse();
        assertThat(BillingRules.monthly(new BigDecimal("0.03"))).isEqualByComparingTo("21.90");
    }
}
