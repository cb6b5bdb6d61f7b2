package org.vpsd.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Instants on the wire: whole seconds, ISO-8601 in UTC, as the reference pages show them. */
class WireTest {
    @Test
    void instantsAreWrittenAsTheJdkWritesThemTruncatedToSeconds() throws Exception {
        List<Instant> instants = new ArrayList<>(List.of(
                Instant.parse("2026-12-05T06:29:53.999Z"), Instant.EPOCH, Instant.EPOCH.minusNanos(1),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("2024-02-29T12:00:00Z"), Instant.parse("1969-12-31T23:59:59Z"),
                Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.MIN, Instant.MAX));
        SplittableRandom random = new SplittableRandom(42);
        long from = Instant.parse("-0100-01-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("+10100-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            instants.add(Instant.ofEpochSecond(random.nextLong(from, to), random.nextInt(1_000_000_000)));
        }
        for (Instant t : instants) {
            String expected = "\"" + t.truncatedTo(ChronoUnit.SECONDS) + "\"";
            assertThat(Wire.mapper().writeValueAsString(t)).as("%s", t).isEqualTo(expected);
        }
        assertThat(Wire.mapper().writeValueAsString(Instant.parse("2026-12-05T06:29:53.5Z"))).isEqualTo("\"2026-12-05T06:29:53Z\"");
    }
}
