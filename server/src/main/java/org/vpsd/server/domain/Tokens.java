package org.vpsd.server.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API tokens: 32 random bytes (256 bits) behind a prefix that says what they are
 * ({@code vpsd_} for customers, {@code vpsdadm_} for the provider), so that secret scanners and
 * people recognise them. Only the SHA-256 of a token is stored; a token is shown once.
 */
public final class Tokens {
    public static final String CUSTOMER_PREFIX = "vpsd_";
    public static final String ADMIN_PREFIX = "vpsdadm_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_LENGTH = 200;

    private Tokens() {}

    /** A new token: the secret to show once, the hash to store, and a hint to recognise it by. */
    public record Issued(String secret, String hash, String hint) {}

    public static Issued issue(boolean admin) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String secret = (admin ? ADMIN_PREFIX : CUSTOMER_PREFIX) + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new Issued(secret, hash(secret), secret.substring(0, secret.indexOf('_') + 5) + "...");
    }

    /** The stored form of a token. */
    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a presented string can be a token at all (cheap check before any lookup). */
    public static boolean plausible(String secret) {
        return secret != null && secret.length() <= MAX_LENGTH
                && (secret.startsWith(CUSTOMER_PREFIX) || secret.startsWith(ADMIN_PREFIX));
    }
}
