package org.vpsd.client.wire;

import java.time.Instant;

/** An item of {@code GET /api/v1/ssh-keys/}. */
public record SshKey(long id, String name, String fingerprint, String publicKey, Instant createdAt) {}
