package org.vpsd.server.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.vpsd.server.driver.Power;
import org.vpsd.server.driver.VmNotFoundException;
import org.vpsd.server.driver.VmState;

/**
 * Stopping: (0) ask the guest to shut down; (1) wait for it, repeating the request every few
 * seconds (a guest that is still booting does not hear it), and cut the power when the graceful
 * timeout has passed; (2) wait for the forced power-off.
 */
final class StopOp implements OperationHandler {
    @Override
    public StepResult step(Step s) {
        try {
            return switch (s.step()) {
                case 0 -> {
                    s.hv.shutdown(s.vm);
                    s.put("acpi", s.now().toEpochMilli());
                    yield s.go(1, s.cfg.stopTimeout());
                }
                case 1 -> waitGraceful(s);
                default -> waitForced(s);
            };
        } catch (VmNotFoundException e) {
            return new StepResult.Failed(StartOp.VANISHED);
        }
    }

    private StepResult waitGraceful(Step s) {
        Optional<VmState> state = s.hv.state(s.vm);
        if (state.isEmpty()) {
            return new StepResult.Failed(StartOp.VANISHED);
        }
        if (!state.get().power().on()) {
            return new StepResult.Done("Stopped: the guest shut down.");
        }
        if (s.pastDeadline()) {
            s.hv.powerOff(s.vm);
            s.put("forced", "true");
            return s.go(2, s.cfg.startTimeout());
        }
        long lastAcpi = Long.parseLong(s.get("acpi") == null ? "0" : s.get("acpi"));
        if (state.get().power() == Power.RUNNING
                && Duration.between(Instant.ofEpochMilli(lastAcpi), s.now()).compareTo(s.cfg.acpiRepeat()) >= 0) {
            s.hv.shutdown(s.vm);
            s.put("acpi", s.now().toEpochMilli());
        }
        VmState st = state.get();
        VmState hint = st.settlesAt() != null ? st : new VmState(st.power(), st.bootCount(), earliest(s));
        return s.again(hint);
    }

    /** Wake for the next repeat of the request or the timeout, whichever comes first. */
    private static Instant earliest(Step s) {
        Instant repeat = Instant.ofEpochMilli(Long.parseLong(s.get("acpi") == null ? "0" : s.get("acpi"))).plus(s.cfg.acpiRepeat());
        return s.task.deadline() != null && s.task.deadline().isBefore(repeat) ? s.task.deadline() : repeat;
    }

    private StepResult waitForced(Step s) {
        Optional<VmState> state = s.hv.state(s.vm);
        if (state.isEmpty()) {
            return new StepResult.Failed(StartOp.VANISHED);
        }
        if (!state.get().power().on()) {
            return new StepResult.Done("Stopped: the guest did not shut down within "
                    + s.cfg.stopTimeout().toSeconds() + " seconds and was powered off.");
        }
        if (s.pastDeadline()) {
            return new StepResult.Failed("The server could not be powered off.");
        }
        s.hv.powerOff(s.vm);
        return s.again(state.get());
    }
}
