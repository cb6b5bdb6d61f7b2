package org.vpsd.server.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.Transactor;
import org.vpsd.server.driver.Hypervisor;
import org.vpsd.server.driver.VmRef;
import org.vpsd.server.driver.VmState;

/** What a step is given: its task, the server as it is now, the machine's reference, and helpers. */
final class Step {
    final Repositories.Task task;
    final Server server;
    final VmRef vm;
    final Hypervisor hv;
    final Transactor tx;
    final EngineConfig cfg;
    private final Clock clock;
    private final Instant now;
    private final Map<String, String> state;

    Step(Repositories.Task task, Server server, VmRef vm, Hypervisor hv, Transactor tx, EngineConfig cfg, Clock clock) {
        this.task = task;
        this.server = server;
        this.vm = vm;
        this.hv = hv;
        this.tx = tx;
        this.cfg = cfg;
        this.clock = clock;
        this.now = clock.instant();
        this.state = parse(task.state());
    }

    Instant now() {
        return now;
    }

    int step() {
        return task.step();
    }

    boolean pastDeadline() {
        return task.deadline() != null && !clock.instant().isBefore(task.deadline());
    }

    String get(String key) {
        return state.get(key);
    }

    Step put(String key, Object value) {
        state.put(key, String.valueOf(value));
        return this;
    }

    /**
     * Go to {@code step} at once, with a fresh deadline {@code timeout} from now (or none). Writes added to
     * it ({@link StepResult.Next#with}) may note more in the state ({@link #put}): it is saved after them.
     */
    StepResult.Next go(int step, Duration timeout) {
        return new StepResult.Next(step, Duration.ZERO, timeout == null ? null : now.plus(timeout), format(), null, this::format);
    }

    /** Go to {@code step} at once, keeping the deadline. */
    StepResult next(int step) {
        return new StepResult.Next(step, Duration.ZERO, task.deadline(), format());
    }

    /** Run this step again later, keeping the deadline: soon after the hint, or after the poll interval. */
    StepResult again(VmState observed) {
        return waitFor(task.step(), observed);
    }

    /** Run {@code step} later, keeping the deadline: soon after the hint, or after the poll interval. */
    StepResult waitFor(int step, VmState observed) {
        return new StepResult.Next(step, delayFor(observed), task.deadline(), format());
    }

    private Duration delayFor(VmState observed) {
        Duration poll = cfg.poll();
        if (observed != null && observed.settlesAt() != null) {
            Duration until = Duration.between(now, observed.settlesAt()).plusMillis(5);
            if (until.isNegative() || until.isZero()) {
                return Duration.ofMillis(5);
            }
            return until.compareTo(poll.multipliedBy(10)) < 0 ? until : poll.multipliedBy(10);
        }
        return poll;
    }

    private static Map<String, String> parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        if (text != null && !text.isEmpty()) {
            for (String pair : text.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    m.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return m;
    }

    private String format() {
        StringBuilder sb = new StringBuilder();
        state.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ";").append(k).append('=').append(v));
        return sb.isEmpty() ? null : sb.toString();
    }
}
