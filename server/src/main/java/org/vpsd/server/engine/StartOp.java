package org.vpsd.server.engine;

import java.util.Optional;
import org.vpsd.server.driver.VmNotFoundException;
import org.vpsd.server.driver.VmState;

/** Starting: (0) power on; (1) wait until the machine runs. */
final class StartOp implements OperationHandler {
    static final String VANISHED = "The virtual machine no longer exists on its host.";

    @Override
    public StepResult step(Step s) {
        if (s.step() == 0) {
            try {
                s.hv.start(s.vm);
            } catch (VmNotFoundException e) {
                return new StepResult.Failed(VANISHED);
            }
            return s.go(1, s.cfg.startTimeout());
        }
        Optional<VmState> state = s.hv.state(s.vm);
        if (state.isEmpty()) {
            return new StepResult.Failed(VANISHED);
        }
        VmState st = state.get();
        switch (st.power()) {
            case RUNNING:
                return new StepResult.Done("Started: the server is running.");
            case SHUTOFF, CRASHED:
                s.hv.start(s.vm);
                break;
            default:
                break;
        }
        if (s.pastDeadline()) {
            return new StepResult.Failed("The server did not start within " + s.cfg.startTimeout().toSeconds() + " seconds.");
        }
        return s.again(st);
    }
}
