package org.vpsd.server.domain;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An SSH public key in OpenSSH format: one line of {@code authorized_keys} or an {@code id_*.pub} file,
 * {@code "type base64 [comment]"}. Uses the JDK only.
 *
 * <p>Accepted types: {@code ssh-ed25519}, {@code ssh-rsa} (2048 to 16384 bits), {@code ecdsa-sha2-nistp256},
 * {@code ecdsa-sha2-nistp384}, {@code ecdsa-sha2-nistp521}, and the security-key types
 * {@code sk-ssh-ed25519@openssh.com} and {@code sk-ecdsa-sha2-nistp256@openssh.com}. Everything else,
 * {@code ssh-dss} and certificates included, is rejected.
 *
 * <p>Every instance returned by {@link #parse(String)} guarantees that
 * <ul>
 *   <li>{@code type} is one of the accepted types and equals the type recorded inside the key data;</li>
 *   <li>{@code base64} is the canonical (standard alphabet, padded) base64 of a well-formed key blob: SSH wire
 *       format, no trailing bytes, the right sizes for the type, RSA exponent and modulus minimally encoded
 *       positive mpints, ECDSA curve name matching the type and the point uncompressed and valid (the same
 *       checks as OpenSSH's {@code sshkey_ec_validate_public}), security keys carrying a non-empty application;</li>
 *   <li>{@code comment} is {@code null} when absent, otherwise the rest of the line after the key data: non-empty,
 *       without leading or trailing whitespace, and free of control characters (tabs included);</li>
 *   <li>{@code bits} is the size {@code ssh-keygen -l} prints: the RSA modulus bit length, 256/384/521 for ECDSA,
 *       256 for Ed25519;</li>
 *   <li>{@code fingerprint} is {@code "SHA256:"} followed by the unpadded base64 of the SHA-256 of the key blob,
 *       exactly as {@code ssh-keygen -lf} prints it;</li>
 *   <li>{@link #openSsh()} parses back to an equal record.</li>
 * </ul>
 * Records cannot hide their canonical constructor, and it only checks for nulls: obtain instances through
 * {@link #parse(String)}.
 */
public record SshPublicKey(String type, String base64, String comment, int bits, String fingerprint) {

    /** Longest input {@link #parse(String)} looks at, in UTF-8 bytes, before trimming. */
    public static final int MAX_INPUT_LENGTH = 16 * 1024;
    public static final int MIN_RSA_BITS = 2048;
    /** OpenSSH refuses larger RSA keys. */
    public static final int MAX_RSA_BITS = 16384;

    private static final String NOT_A_KEY = "Not a valid SSH public key.";
    /** What may be echoed back as a type name in an error message. */
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9@._+-]{0,63}");

    public SshPublicKey {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(base64, "base64");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }

    /**
     * Parses one OpenSSH public key line ("type base64 [comment]"), as in authorized_keys / id_*.pub.
     * Leading and trailing whitespace (a final newline, say) is ignored; fields are separated by spaces or tabs.
     * Key options ({@code command="..." ...}), private keys, PEM and RFC 4716 blocks are not accepted.
     *
     * @throws InvalidSshKeyException for anything else, {@code null} included, with a short message fit for an
     *                                API error; no other exception is thrown for any input
     */
    public static SshPublicKey parse(String text) {
        if (text == null) {
            throw invalid(NOT_A_KEY);
        }
        if (text.length() > MAX_INPUT_LENGTH || text.getBytes(StandardCharsets.UTF_8).length > MAX_INPUT_LENGTH) {
            throw invalid("SSH public key is too long (at most 16 KiB).");
        }
        String line = text.strip();
        if (line.isEmpty()) {
            throw invalid("SSH public key is empty.");
        }
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw invalid("Paste exactly one SSH public key, on a single line.");
        }
        int typeEnd = nextBlank(line, 0);
        int blobStart = skipBlanks(line, typeEnd);
        int blobEnd = nextBlank(line, blobStart);
        int commentStart = skipBlanks(line, blobEnd);
        String type = line.substring(0, typeEnd);
        String base64 = line.substring(blobStart, blobEnd);
        String comment = commentStart < line.length() ? line.substring(commentStart) : null;
        if (!TYPE_NAME.matcher(type).matches() || base64.isEmpty()) {
            throw invalid(NOT_A_KEY);
        }
        if (comment != null && comment.chars().anyMatch(Character::isISOControl)) {
            throw invalid("SSH key comment must not contain control characters.");
        }

        byte[] blob = decodeCanonical(base64);
        WireReader in = new WireReader(blob);
        if (!type.equals(in.text())) {
            throw invalid("Key type does not match the key data.");
        }
        int bits = switch (type) {
            case "ssh-ed25519" -> ed25519(in);
            case "sk-ssh-ed25519@openssh.com" -> securityKey(in, ed25519(in));
            case "ssh-rsa" -> rsa(in);
            case "ecdsa-sha2-nistp256" -> ecdsa(in, Curve.P256);
            case "ecdsa-sha2-nistp384" -> ecdsa(in, Curve.P384);
            case "ecdsa-sha2-nistp521" -> ecdsa(in, Curve.P521);
            case "sk-ecdsa-sha2-nistp256@openssh.com" -> securityKey(in, ecdsa(in, Curve.P256));
            default -> throw invalid("Unsupported key type: " + type + ".");
        };
        in.end();
        return new SshPublicKey(type, base64, comment, bits, fingerprint(blob));
    }

    /** "type base64" or "type base64 comment": the canonical authorized_keys line. */
    public String openSsh() {
        return comment == null ? type + " " + base64 : type + " " + base64 + " " + comment;
    }

    private static int ed25519(WireReader in) {
        if (in.string().length != 32) {
            throw invalid(NOT_A_KEY);
        }
        return 256;
    }

    /** Security keys (FIDO) append the application ("ssh:" by default) to the plain key. */
    private static int securityKey(WireReader in, int bits) {
        byte[] application = in.string();
        if (application.length == 0 || indexOf(application, (byte) 0) >= 0) {
            throw invalid(NOT_A_KEY);
        }
        return bits;
    }

    private static int rsa(WireReader in) {
        in.positiveMpint(); // public exponent
        int bits = in.positiveMpint().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw invalid("RSA keys must be at least " + MIN_RSA_BITS + " bits.");
        }
        if (bits > MAX_RSA_BITS) {
            throw invalid("RSA keys must be at most " + MAX_RSA_BITS + " bits.");
        }
        return bits;
    }

    private static int ecdsa(WireReader in, Curve curve) {
        if (!curve.sshName.equals(in.text()) || !curve.isValidPublicPoint(in.string())) {
            throw invalid(NOT_A_KEY);
        }
        return curve.bits;
    }

    private static byte[] decodeCanonical(String base64) {
        try {
            byte[] blob = Base64.getDecoder().decode(base64);
            // The JDK decoder tolerates missing padding and stray low bits; insist on the one canonical spelling.
            if (Base64.getEncoder().encodeToString(blob).equals(base64)) {
                return blob;
            }
        } catch (IllegalArgumentException notBase64) {
            // reported below
        }
        throw invalid(NOT_A_KEY);
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static int nextBlank(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
            i++;
        }
        return i;
    }

    private static int skipBlanks(String s, int from) {
        int i = from;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static InvalidSshKeyException invalid(String message) {
        return new InvalidSshKeyException(message);
    }

    /** Reads the SSH wire format (RFC 4251 section 5) and never reads past the end of the blob. */
    private static final class WireReader {
        private final byte[] buf;
        private int pos;

        WireReader(byte[] buf) {
            this.buf = buf;
        }

        /** A uint32 big-endian length followed by that many bytes. */
        byte[] string() {
            if (buf.length - pos < 4) {
                throw invalid(NOT_A_KEY);
            }
            long length = (buf[pos] & 0xFFL) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8
                    | (buf[pos + 3] & 0xFF);
            pos += 4;
            if (length > buf.length - pos) {
                throw invalid(NOT_A_KEY);
            }
            byte[] value = Arrays.copyOfRange(buf, pos, pos + (int) length);
            pos += (int) length;
            return value;
        }

        /** A string compared against ASCII names; other bytes map to characters that never match one. */
        String text() {
            return new String(string(), StandardCharsets.ISO_8859_1);
        }

        /** A two's complement mpint that is strictly positive and has no superfluous leading zero byte. */
        BigInteger positiveMpint() {
            byte[] m = string();
            if (m.length == 0 || m[0] < 0 || (m[0] == 0 && (m.length == 1 || m[1] >= 0))) {
                throw invalid(NOT_A_KEY);
            }
            return new BigInteger(1, m);
        }

        void end() {
            if (pos != buf.length) {
                throw invalid(NOT_A_KEY);
            }
        }
    }

    /** The NIST curves, with domain parameters taken from the JDK. */
    private enum Curve {
        P256("nistp256", "secp256r1", 256),
        P384("nistp384", "secp384r1", 384),
        P521("nistp521", "secp521r1", 521);

        final String sshName;
        final int bits;
        private final BigInteger p;
        private final BigInteger a;
        private final BigInteger b;
        private final BigInteger order;

        Curve(String sshName, String jdkName, int bits) {
            this.sshName = sshName;
            this.bits = bits;
            try {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(jdkName));
                ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
                this.p = ((ECFieldFp) spec.getCurve().getField()).getP();
                this.a = spec.getCurve().getA();
                this.b = spec.getCurve().getB();
                this.order = spec.getOrder();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("The JDK lacks curve " + jdkName, e);
            }
        }

        /**
         * An uncompressed point (0x04 || x || y) on the curve, checked like OpenSSH's sshkey_ec_validate_public:
         * log2(x) and log2(y) above log2(order)/2, and x, y below order - 1 (hence below p, as order < p here).
         * The curves have cofactor 1, so any point on the curve other than infinity has order {@code order}.
         */
        boolean isValidPublicPoint(byte[] q) {
            int size = (bits + 7) / 8;
            if (q.length != 1 + 2 * size || q[0] != 0x04) {
                return false;
            }
            BigInteger x = new BigInteger(1, q, 1, size);
            BigInteger y = new BigInteger(1, q, 1 + size, size);
            BigInteger limit = order.subtract(BigInteger.ONE);
            int half = order.bitLength() / 2;
            return x.compareTo(limit) < 0 && y.compareTo(limit) < 0
                    && x.bitLength() > half && y.bitLength() > half
                    && y.pow(2).subtract(x.pow(3)).subtract(a.multiply(x)).subtract(b).mod(p).signum() == 0;
        }
    }
}
