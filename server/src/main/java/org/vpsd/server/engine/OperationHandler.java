package org.vpsd.server.engine;

/**
 * The steps of one kind of operation. A step reads the world, makes idempotent hypervisor calls,
 * and says what comes next. A step may run more than once (a crash between the call and the
 * commit, a replica taking over), so running it again must be harmless.
 */
interface OperationHandler {
    StepResult step(Step s);
}
