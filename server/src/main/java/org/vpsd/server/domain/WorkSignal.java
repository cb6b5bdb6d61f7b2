package org.vpsd.server.domain;

/** Told when durable work was added, so that the engine starts on it without waiting for its next poll. */
@FunctionalInterface
public interface WorkSignal {
    void workAdded();

    WorkSignal NONE = () -> {};
}
