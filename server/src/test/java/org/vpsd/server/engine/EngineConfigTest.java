package org.vpsd.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The simulator's time scale shortens the guest-facing timings, but never a give-up below what vpsd itself may need. */
class EngineConfigTest {
    private final EngineConfig defaults = EngineConfig.defaults();

    @Test
    void atTheRealTimeScaleNothingChanges() {
        assertThat(defaults.scaled(1)).isEqualTo(defaults);
    }

    @Test
    void guestTimingsScaleAndGiveUpsKeepAFloor() {
        EngineConfig fast = defaults.scaled(1_000_000);
        assertThat(fast.stopTimeout()).isEqualTo(Duration.ofMillis(1));       // 60 s forced stop: forcing early is no failure
        assertThat(fast.retryBase()).isEqualTo(Duration.ofMillis(1));
        assertThat(fast.provisionTimeout()).isEqualTo(EngineConfig.SCALED_GIVE_UP_FLOOR);
        assertThat(fast.startTimeout()).isEqualTo(EngineConfig.SCALED_GIVE_UP_FLOOR);
        assertThat(fast.deleteTimeout()).isEqualTo(EngineConfig.SCALED_GIVE_UP_FLOOR);

        EngineConfig hundred = defaults.scaled(100);
        assertThat(hundred.provisionTimeout()).isEqualTo(defaults.provisionTimeout().dividedBy(100)); // 18 s: above the floor
        assertThat(hundred.stopTimeout()).isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void aConfiguredGiveUpShorterThanTheFloorIsKept() {
        EngineConfig tight = new EngineConfig("vpsd-", Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(500), 256, 64,
                6, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4), Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(10));
        EngineConfig scaled = tight.scaled(1_000_000);
        assertThat(scaled.startTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(scaled.provisionTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(scaled.deleteTimeout()).isEqualTo(Duration.ofSeconds(4));
    }
}
