package org.vpsd.server.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.driver.UsageSample;

/** What one step of an operation decided. */
sealed interface StepResult {

    /**
     * Run step {@code step} after {@code delay}, with {@code deadline} and {@code state} saved for it.
     * {@code writes}, if not null, are the step's own database changes: they commit in the same
     * transaction as this progress, or not at all (the task was taken over meanwhile, or they failed).
     * They return the server as they leave it, which a next step run at once is given instead of
     * reading it again. {@code atOnce}, if not null, is tried first: the same writes and the progress
     * it is given in one statement that commits by itself, where the store can; empty when it could
     * not, and then nothing was changed and {@code writes} run the general way.
     */
    record Next(int step, Duration delay, Instant deadline, String state, Function<Repositories, Server> writes,
            Supplier<String> stateAfterWrites, BiFunction<Repositories, Repositories.Advance, Optional<Server>> atOnce)
            implements StepResult {
        Next(int step, Duration delay, Instant deadline, String state) {
            this(step, delay, deadline, state, null, null, null);
        }

        Next(int step, Duration delay, Instant deadline, String state, Function<Repositories, Server> writes,
                Supplier<String> stateAfterWrites) {
            this(step, delay, deadline, state, writes, stateAfterWrites, null);
        }

        /**
         * The same progress, saved together with {@code writes}; the state saved is the one
         * {@code stateAfterWrites} gives once they have run (what they noted in the step's state), if it is set.
         */
        Next with(Function<Repositories, Server> writes) {
            return new Next(step, delay, deadline, state, writes, stateAfterWrites, null);
        }

        /**
         * {@link #with}, and {@code atOnce} to try first. The progress it saves has the state as it was
         * before the writes: what they note in it is handed to a next step run at once, not saved (a step
         * run later, after a crash or a takeover, reads it again).
         */
        Next with(Function<Repositories, Server> writes, BiFunction<Repositories, Repositories.Advance, Optional<Server>> atOnce) {
            return new Next(step, delay, deadline, state, writes, stateAfterWrites, atOnce);
        }

        /** The state to save once the writes have run. */
        String stateToSave() {
            return writes != null && stateAfterWrites != null ? stateAfterWrites.get() : state;
        }
    }

    /**
     * The operation is done; the server reaches its resting status. {@code note} goes into its history.
     * {@code usage}, if not null, is a sample of the running machine taken by the step's last look at
     * it: a server becoming active stores it as its first figures instead of asking the driver again.
     */
    record Done(String note, UsageSample usage) implements StepResult {
        Done(String note) {
            this(note, null);
        }
    }

    /** The operation cannot succeed; the server goes to {@code error} with this reason. */
    record Failed(String reason) implements StepResult {}
}
