package org.vpsd.server.engine;

import java.time.Duration;
import java.time.Instant;

/** What one step of an operation decided. */
sealed interface StepResult {

    /** Run step {@code step} after {@code delay}, with {@code deadline} and {@code state} saved for it. */
    record Next(int step, Duration delay, Instant deadline, String state) implements StepResult {}

    /** The operation is done; the server reaches its resting status. {@code note} goes into its history. */
    record Done(String note) implements StepResult {}

    /** The operation cannot succeed; the server goes to {@code error} with this reason. */
    record Failed(String reason) implements StepResult {}
}
