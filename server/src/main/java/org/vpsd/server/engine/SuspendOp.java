package org.vpsd.server.engine;

import java.util.Optional;
import org.vpsd.server.driver.VmNotFoundException;
import org.vpsd.server.driver.VmState;

/** Suspending: (0) cut the power (a machine that does not exist has nothing to power off); (1) wait until it is off. */
final class SuspendOp implements OperationHandler {
    @Override
    public StepResult step(Step s) {
        Optional<VmState> state;
        try {
            if (s.step() == 0) {
                s.hv.powerOff(s.vm);
                return s.go(1, s.cfg.startTimeout());
            }
            state = s.hv.state(s.vm);
            if (state.isPresent() && state.get().power().on()) {
                if (s.pastDeadline()) {
                    return new StepResult.Failed("The server could not be powered off for suspension.");
                }
                s.hv.powerOff(s.vm);
                return s.again(state.get());
            }
        } catch (VmNotFoundException e) {
            // nothing to power off
        }
        return new StepResult.Done("Powered off for suspension.");
    }
}
