package org.vpsd.server.api;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;

/** SSH public keys for the bad-input table, made with the JDK: valid ones and well-formed-but-refused ones. */
final class BadInputKeys {
    private BadInputKeys() {}

    /** A fresh, valid {@code ssh-ed25519} key line with {@code comment}. */
    static String ed25519(String comment) {
        return "ssh-ed25519 " + b64(ed25519Blob()) + (comment == null ? "" : " " + comment);
    }

    static byte[] ed25519Blob() {
        try {
            byte[] x509 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic().getEncoded();
            byte[] raw = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
            return blob(string("ssh-ed25519"), string(raw));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A well-formed {@code ssh-rsa} key of {@code bits} bits (vpsd refuses fewer than 2048). */
    static String rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            RSAPublicKey k = (RSAPublicKey) g.generateKeyPair().getPublic();
            return "ssh-rsa " + b64(blob(string("ssh-rsa"), mpint(k.getPublicExponent()), mpint(k.getModulus()))) + " rsa@bad-input";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An {@code ssh-dss} line: a type vpsd does not accept. */
    static String dss() {
        return "ssh-dss " + b64(blob(string("ssh-dss"), mpint(BigInteger.valueOf(23)), mpint(BigInteger.valueOf(11)),
                mpint(BigInteger.valueOf(4)), mpint(BigInteger.valueOf(8)))) + " dss@bad-input";
    }

    /** An Ed25519 key blob announced as another type on the line. */
    static String typeMismatch() {
        return "ssh-rsa " + b64(ed25519Blob()) + " mismatch@bad-input";
    }

    /** An Ed25519 key blob cut short. */
    static String truncated() {
        byte[] blob = ed25519Blob();
        return "ssh-ed25519 " + b64(Arrays.copyOf(blob, blob.length - 5));
    }

    /** An Ed25519 key blob with bytes after the key. */
    static String trailingBytes() {
        byte[] blob = ed25519Blob();
        byte[] longer = Arrays.copyOf(blob, blob.length + 4);
        return "ssh-ed25519 " + b64(longer);
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] string(String s) {
        return string(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] string(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes.length >>> 24);
        out.write(bytes.length >>> 16);
        out.write(bytes.length >>> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    private static byte[] mpint(BigInteger n) {
        return string(n.toByteArray());
    }

    private static byte[] blob(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
