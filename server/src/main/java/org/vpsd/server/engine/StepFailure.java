package org.vpsd.server.engine;

/** Thrown inside a step's transaction to roll it back and fail the operation with a reason. */
final class StepFailure extends RuntimeException {
    StepFailure(String reason) {
        super(reason, null, false, false);
    }
}
