package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.driver.UsageSample;

class UsageCollectorTest {
    static final Instant NOV = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void bandwidthAccumulatesCounterGrowthOverTheMonth() {
        var first = UsageCollector.next(Optional.empty(), new UsageSample(10, 1000, 3L, 80, 2_000_000_000L, NOV), NOV);
        assertThat(first.usage().bandwidthGb()).isEqualTo(2);
        var second = UsageCollector.next(Optional.of(first), new UsageSample(12, 1100, 3L, 80, 5_500_000_000L, NOV), NOV.plusSeconds(60));
        assertThat(second.usage().bandwidthGb()).isEqualTo(5);
        assertThat(second.monthBytes()).isEqualTo(5_500_000_000L);
    }

    @Test
    void aCounterThatWentDownRestartedAtPowerOn() {
        var before = new Repositories.UsageRecord(null, 9_000_000_000L, "2026-11", 9_000_000_000L);
        var after = UsageCollector.next(Optional.of(before), new UsageSample(1, 100, 3L, 80, 1_000_000_000L, NOV), NOV);
        assertThat(after.monthBytes()).isEqualTo(10_000_000_000L);
    }

    @Test
    void aNewMonthStartsFromZero() {
        var october = new Repositories.UsageRecord(null, 9_000_000_000L, "2026-10", 900_000_000_000L);
        var next = UsageCollector.next(Optional.of(october), new UsageSample(1, 100, 3L, 80, 10_000_000_000L, NOV), NOV);
        assertThat(next.month()).isEqualTo("2026-11");
        assertThat(next.usage().bandwidthGb()).isEqualTo(1);
    }

    @Test
    void diskFallsBackToTheAllocationWhenTheGuestCannotBeAsked() {
        var u = UsageCollector.next(Optional.empty(), new UsageSample(1, 100, null, 7, 0, NOV), NOV);
        assertThat(u.usage().diskGb()).isEqualTo(7);
    }
}
