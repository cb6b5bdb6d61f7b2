package org.vpsd.server.driver;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.vpsd.server.store.Database;

/**
 * What a driver is given: the database (the simulator keeps its machines there), the data
 * directory, a clock, metrics, the simulator's time scale and free-form options
 * ({@code --driver-option key=value}).
 */
public record DriverContext(
        Database database,
        Path dataDir,
        Clock clock,
        MeterRegistry metrics,
        double timeScale,
        Map<String, String> options) {

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }
}
