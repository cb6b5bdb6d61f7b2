package org.vpsd.server.domain;

/**
 * Thrown by {@link SshPublicKey#parse(String)} when the text is not an acceptable SSH public key.
 *
 * <p>The message is short, written for the end user and safe to return verbatim in an API error:
 * it never echoes more of the input than a validated key type name.
 */
public class InvalidSshKeyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public InvalidSshKeyException(String message) {
        super(message);
    }
}
