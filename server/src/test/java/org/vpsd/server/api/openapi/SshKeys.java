package org.vpsd.server.api.openapi;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;

/** Fresh, valid OpenSSH public keys for tests. */
public final class SshKeys {
    private SshKeys() {}

    /** A new {@code ssh-ed25519 AAAA... comment} line. */
    public static String ed25519(String comment) {
        try {
            byte[] spki = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
            byte[] raw = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            ByteArrayOutputStream blob = new ByteArrayOutputStream();
            writeString(blob, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
            writeString(blob, raw);
            return "ssh-ed25519 " + Base64.getEncoder().encodeToString(blob.toByteArray()) + " " + comment;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeString(ByteArrayOutputStream out, byte[] bytes) {
        int n = bytes.length;
        out.write(n >>> 24);
        out.write(n >>> 16);
        out.write(n >>> 8);
        out.write(n);
        out.writeBytes(bytes);
    }
}
