package org.vpsd.server.engine;

import java.util.Optional;
import org.vpsd.server.driver.VmState;

/** Deleting: (0) have the driver destroy the machine and its volumes; (1) wait until nothing is left. */
final class DeleteOp implements OperationHandler {
    @Override
    public StepResult step(Step s) {
        if (s.step() == 0) {
            s.hv.delete(s.vm);
            return s.go(1, s.cfg.deleteTimeout());
        }
        Optional<VmState> state = s.hv.state(s.vm);
        if (state.isEmpty()) {
            return new StepResult.Done("Deleted: the machine, its disk and its addresses are gone.");
        }
        if (s.pastDeadline()) {
            return new StepResult.Failed("The virtual machine could not be deleted within " + s.cfg.deleteTimeout().toSeconds()
                    + " seconds.");
        }
        s.hv.delete(s.vm);
        return s.again(state.get());
    }
}
