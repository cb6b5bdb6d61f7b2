package org.vpsd.server.domain;

import java.time.Clock;
import java.time.Instant;

/** A customer's SSH keys: parsed and fingerprinted on the way in, unique per account. */
public final class SshKeyService {
    private final Transactor tx;
    private final Clock clock;

    public SshKeyService(Transactor tx, Clock clock) {
        this.tx = tx;
        this.clock = clock;
    }

    public record Listing(long count, java.util.List<SshKeyRecord> keys) {}

    public Listing list(long accountId, long offset, int limit) {
        return tx.read(r -> {
            long count = r.sshKeys().count(accountId);
            return new Listing(count, offset < count ? r.sshKeys().list(accountId, offset, limit) : java.util.List.of());
        });
    }

    public SshKeyRecord get(long accountId, long id) {
        return tx.read(r -> r.sshKeys().find(accountId, id)).orElseThrow(DomainException.NotFound::new);
    }

    /** Registers a key; {@code name} defaults to the key's comment, else its fingerprint. */
    public SshKeyRecord create(long accountId, String name, String publicKey, FieldErrors errors) {
        SshPublicKey key = null;
        if (publicKey == null) {
            if (!errors.has("public_key")) {
                errors.add("public_key", "This field is required.");
            }
        } else {
            try {
                key = SshPublicKey.parse(publicKey);
            } catch (InvalidSshKeyException e) {
                errors.add("public_key", e.getMessage());
            }
        }
        if (name != null && (name.isBlank() || name.length() > 100)) {
            errors.add("name", name.isBlank() ? "This field may not be blank." : "Ensure this field has no more than 100 characters.");
        }
        errors.throwIfAny();
        SshPublicKey parsed = key;
        String keyName = name != null ? name
                : parsed.comment() != null && !parsed.comment().isBlank() && parsed.comment().length() <= 100 ? parsed.comment()
                : parsed.fingerprint();
        Instant now = clock.instant();
        long id = tx.inTransaction(r -> {
            if (r.sshKeys().findByFingerprint(accountId, parsed.fingerprint()).isPresent()) {
                throw FieldErrors.of("public_key", "This key is already registered.");
            }
            return r.sshKeys().insert(accountId, keyName, parsed.openSsh(), parsed.fingerprint(), now);
        });
        return get(accountId, id);
    }

    public void delete(long accountId, long id) {
        if (!tx.inTransaction(r -> r.sshKeys().delete(accountId, id))) {
            throw new DomainException.NotFound();
        }
    }
}
