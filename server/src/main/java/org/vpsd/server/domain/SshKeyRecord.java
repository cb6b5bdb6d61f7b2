package org.vpsd.server.domain;

import java.time.Instant;

/** An SSH public key an account has registered. */
public record SshKeyRecord(long id, long accountId, String name, String publicKey, String fingerprint, Instant createdAt) {}
