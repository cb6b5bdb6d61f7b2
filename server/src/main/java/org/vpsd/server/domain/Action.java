package org.vpsd.server.domain;

/** What a customer asks of an existing server. */
public enum Action {
    START("Server is starting"),
    STOP("Server is stopping"),
    REBOOT("Server is rebooting"),
    DELETE("Server is being deleted");

    private final String acceptedMessage;

    Action(String acceptedMessage) {
        this.acceptedMessage = acceptedMessage;
    }

    /** The {@code message} of the action body once the action is accepted. */
    public String acceptedMessage() {
        return acceptedMessage;
    }
}
