package org.vpsd.server.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TransitionsTest {
    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource({
        "ACTIVE, START, Server is already running",
        "ACTIVE, STOP, stopping",
        "ACTIVE, REBOOT, rebooting",
        "STOPPED, START, starting",
        "STOPPED, STOP, Server is not running",
        "STOPPED, REBOOT, Server is not running",
        "SUSPENDED, START, Server is suspended",
        "PROVISIONING, START, Server is provisioning",
        "PROVISIONING, REBOOT, Server is provisioning",
        "STARTING, START, Server is already starting",
        "STOPPING, START, Server is stopping",
        "REBOOTING, STOP, Server is rebooting",
        "DELETING, START, Server is being deleted",
        "ERROR, START, starting",
        "ERROR, STOP, stopping",
        "ERROR, REBOOT, Server is in an error state",
    })
    void theTableSaysWhatEachActionDoes(Status status, Action action, String outcome) {
        switch (Transitions.decide(status, action)) {
            case Transitions.Go go -> {
                assertThat(go.next().wire()).isEqualTo(outcome);
                assertThat(go.operation().during()).isEqualTo(go.next());
            }
            case Transitions.Refuse refuse -> assertThat(refuse.detail()).isEqualTo(outcome);
            case Transitions.Already already -> throw new AssertionError("unexpected no-op");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"ACTIVE", "STOPPED", "SUSPENDED", "ERROR", "PROVISIONING", "STARTING", "STOPPING",
        "REBOOTING"})
    void deleteIsAllowedInEveryStatus(Status status) {
        assertThat(Transitions.decide(status, Action.DELETE)).isEqualTo(new Transitions.Go(Status.DELETING, Operation.DELETE));
    }

    @Test
    void deletingAgainIsANoOp() {
        assertThat(Transitions.decide(Status.DELETING, Action.DELETE)).isInstanceOf(Transitions.Already.class);
    }

    @Test
    void everyStatusAndActionHasAnAnswer() {
        for (Status s : Status.values()) {
            for (Action a : Action.values()) {
                assertThat(Transitions.decide(s, a)).as(s + " " + a).isNotNull();
            }
        }
    }

    @Test
    void operationsEndInTheirRestingStatus() {
        assertThat(Operation.PROVISION.done()).isEqualTo(Status.ACTIVE);
        assertThat(Operation.STOP.done()).isEqualTo(Status.STOPPED);
        assertThat(Operation.START.done()).isEqualTo(Status.ACTIVE);
        assertThat(Operation.REBOOT.done()).isEqualTo(Status.ACTIVE);
        assertThat(Suspensions.settle(Operation.START, true)).isEqualTo(Status.SUSPENDED);
        assertThat(Suspensions.settle(Operation.SUSPEND, false)).isEqualTo(Status.STOPPED);
        assertThat(Suspensions.settle(Operation.DELETE, true)).isEqualTo(Status.DELETED);
    }

    @Test
    void clientsNameEveryStatusButTheInternalOne() {
        assertThat(Status.visibleNames()).containsExactly("active", "stopped", "suspended", "error", "provisioning", "starting",
                "stopping", "rebooting", "deleting");
        assertThat(Status.fromWire("deleted")).isEmpty();
        assertThat(Status.fromWire("ACTIVE")).isEmpty();
    }
}
