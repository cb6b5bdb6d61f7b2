package org.vpsd.server.engine;

import java.util.Optional;
import org.vpsd.server.driver.Power;
import org.vpsd.server.driver.VmNotFoundException;
import org.vpsd.server.driver.VmState;

/**
 * Rebooting: (0) note the boot count and ask the guest to reboot; (1) wait for a new boot, and
 * reset the machine when the graceful timeout has passed; (2) wait for the boot after a reset or a
 * power-on. A machine found off is simply started.
 */
final class RebootOp implements OperationHandler {
    @Override
    public StepResult step(Step s) {
        try {
            return switch (s.step()) {
                case 0 -> begin(s);
                case 1 -> waitGraceful(s);
                default -> waitBoot(s);
            };
        } catch (VmNotFoundException e) {
            return new StepResult.Failed(StartOp.VANISHED);
        }
    }

    private StepResult begin(Step s) {
        VmState st = s.hv.state(s.vm).orElseThrow(() -> new VmNotFoundException(s.vm.name()));
        s.put("boot", st.bootCount());
        if (!st.power().on()) {
            s.hv.start(s.vm);
            return s.go(2, s.cfg.startTimeout());
        }
        s.hv.reboot(s.vm);
        return s.go(1, s.cfg.rebootTimeout());
    }

    private boolean rebooted(Step s, VmState st) {
        return st.power() == Power.RUNNING && st.bootCount() != Long.parseLong(s.get("boot"));
    }

    private StepResult waitGraceful(Step s) {
        Optional<VmState> state = s.hv.state(s.vm);
        if (state.isEmpty()) {
            return new StepResult.Failed(StartOp.VANISHED);
        }
        VmState st = state.get();
        if (rebooted(s, st)) {
            return new StepResult.Done("Rebooted.");
        }
        if (!st.power().on()) {
            s.hv.start(s.vm);
            return s.go(2, s.cfg.startTimeout());
        }
        if (s.pastDeadline()) {
            s.hv.reset(s.vm);
            s.put("forced", "true");
            return s.go(2, s.cfg.startTimeout());
        }
        return s.again(st.settlesAt() != null ? st : new VmState(st.power(), st.bootCount(), s.task.deadline()));
    }

    private StepResult waitBoot(Step s) {
        Optional<VmState> state = s.hv.state(s.vm);
        if (state.isEmpty()) {
            return new StepResult.Failed(StartOp.VANISHED);
        }
        VmState st = state.get();
        if (rebooted(s, st)) {
            return new StepResult.Done("true".equals(s.get("forced"))
                    ? "Rebooted: the guest did not reboot within " + s.cfg.rebootTimeout().toSeconds() + " seconds and was reset."
                    : "Rebooted.");
        }
        if (st.power() == Power.SHUTOFF || st.power() == Power.CRASHED) {
            s.hv.start(s.vm);
        }
        if (s.pastDeadline()) {
            return new StepResult.Failed("The server did not come back within " + s.cfg.startTimeout().toSeconds() + " seconds.");
        }
        return s.again(st);
    }
}
