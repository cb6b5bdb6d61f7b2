package org.vpsd.server.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fixtures live in {@code src/test/resources/sshkeys/} (see the README there); the expected sizes and fingerprints
 * below are what {@code ssh-keygen -lf} (OpenSSH 9.2p1) printed for them.
 */
class SshPublicKeyTest {

    private static final String NOT_A_KEY = "Not a valid SSH public key.";
    private static final String TYPE_MISMATCH = "Key type does not match the key data.";
    private static final String TOO_LONG = "SSH public key is too long (at most 16 KiB).";
    private static final String SINGLE_LINE = "Paste exactly one SSH public key, on a single line.";
    private static final String CONTROL_IN_COMMENT = "SSH key comment must not contain control characters.";

    private static final List<String> ACCEPTED_FIXTURES = List.of("ed25519.pub", "rsa2048.pub", "rsa4096.pub",
            "ecdsa256.pub", "ecdsa384.pub", "ecdsa521.pub", "sk-ed25519.pub", "sk-ecdsa256.pub");

    static Stream<Arguments> keysMadeBySshKeygen() {
        return Stream.of(
                arguments("ed25519.pub", "ssh-ed25519", 256,
                        "SHA256:0YU/OWbu+5gM5ZTe+54bbR/Jgin5MFKlZkOEa3maI9s", "alice@example.com"),
                arguments("rsa2048.pub", "ssh-rsa", 2048,
                        "SHA256:4IyxmPvE1xflDjvwxfWjztc0moBsxKnNav9wLm50FPk", "bob@laptop"),
                arguments("rsa4096.pub", "ssh-rsa", 4096,
                        "SHA256:ndu+QbKOI6Yf25kvGA3y4OAPGPHc/A8kvR9vHPvVcM8", "carol with spaces in comment"),
                arguments("ecdsa256.pub", "ecdsa-sha2-nistp256", 256,
                        "SHA256:eJUSOimG7zbv2ZN35tDZ890knHSi5ddKZP4JQwj/sC0", "ec256"),
                arguments("ecdsa384.pub", "ecdsa-sha2-nistp384", 384,
                        "SHA256:9zdvDPoXSPz5WWoofDdsQMMrrOk2hhnSluT38hb6RzE", "ec384"),
                // generated with -C '': the file holds "type base64 " and ssh-keygen reports "no comment"
                arguments("ecdsa521.pub", "ecdsa-sha2-nistp521", 521,
                        "SHA256:VZcmuttL0OD+4uTz592QgXa2uh4UzeFjasacYIi7d2o", null),
                arguments("sk-ed25519.pub", "sk-ssh-ed25519@openssh.com", 256,
                        "SHA256:KfYj5jPk+plo1ioMLkMSPgXl4q5FRT7qNKf2N3egwfw", "yubikey"),
                arguments("sk-ecdsa256.pub", "sk-ecdsa-sha2-nistp256@openssh.com", 256,
                        "SHA256:5w2Lqjl6R1hrDP1LyHikvqAYLUFKqdbDkqvymoPK5Z0", "yubikey"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keysMadeBySshKeygen")
    void parsesKeysLikeSshKeygen(String file, String type, int bits, String fingerprint, String comment) {
        String text = fixture(file);

        SshPublicKey key = SshPublicKey.parse(text);

        assertThat(key.type()).isEqualTo(type);
        assertThat(key.bits()).isEqualTo(bits);
        assertThat(key.fingerprint()).isEqualTo(fingerprint);
        assertThat(key.comment()).isEqualTo(comment);
        assertThat(key.base64()).isEqualTo(text.split(" ")[1]);
        assertThat(key.openSsh()).isEqualTo(text.strip());
        assertThat(SshPublicKey.parse(key.openSsh())).isEqualTo(key);
    }

    @Test
    void rejectsShortRsaKeys() {
        assertRejected(fixture("rsa1024.pub"), "RSA keys must be at least 2048 bits.");
    }

    @Test
    void rejectsDsaKeys() {
        assertRejected(fixture("dsa.pub"), "Unsupported key type: ssh-dss.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecdsa-sha2-nistp192", "ssh-ed448", "ssh-ed25519-cert-v01@openssh.com",
            "ssh-rsa-cert-v01@openssh.com", "rsa-sha2-256", "x509v3-ssh-rsa"})
    void rejectsOtherKeyTypes(String type) {
        assertRejected(line(type, blob(type, new byte[32])), "Unsupported key type: " + type + ".");
    }

    static Stream<Arguments> garbage() {
        String ed25519 = fixture("ed25519.pub").strip();
        String paddedBase64 = fixture("sk-ed25519.pub").split(" ")[1]; // ends in a single '='
        String privateKey = """
                -----BEGIN OPENSSH PRIVATE KEY-----
                b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
                -----END OPENSSH PRIVATE KEY-----
                """;
        return Stream.of(
                arguments("null", null, NOT_A_KEY),
                arguments("empty", "", "SSH public key is empty."),
                arguments("whitespace", " \t\r\n ", "SSH public key is empty."),
                arguments("random text", "hello world", NOT_A_KEY),
                arguments("type only", "ssh-ed25519", NOT_A_KEY),
                arguments("type and spaces", "ssh-ed25519    ", NOT_A_KEY),
                arguments("base64 only", ed25519.split(" ")[1], NOT_A_KEY),
                arguments("not base64", "ssh-ed25519 !!!!", NOT_A_KEY),
                arguments("base64 url alphabet", "ssh-ed25519 " + paddedBase64.replace('+', '-'), NOT_A_KEY),
                arguments("base64 without padding", "sk-ssh-ed25519@openssh.com " + paddedBase64.replace("=", ""),
                        NOT_A_KEY),
                arguments("base64 with stray low bits", "sk-ssh-ed25519@openssh.com "
                        + paddedBase64.replace("Do=", "Dp="), NOT_A_KEY),
                arguments("base64 of text", "ssh-ed25519 aGVsbG8gd29ybGQ=", NOT_A_KEY),
                arguments("private key", privateKey, SINGLE_LINE),
                arguments("private key header", "-----BEGIN OPENSSH PRIVATE KEY-----", NOT_A_KEY),
                arguments("private key body", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
                        NOT_A_KEY),
                arguments("PEM public key", fixture("rsa2048.pkcs8.pem"), SINGLE_LINE),
                arguments("PEM public key on one line", fixture("rsa2048.pkcs8.pem").replace('\n', ' '), NOT_A_KEY),
                arguments("RFC 4716 public key", fixture("ed25519.rfc4716"), SINGLE_LINE),
                arguments("two keys on two lines", ed25519 + "\n" + fixture("rsa2048.pub"), SINGLE_LINE),
                arguments("two keys, CR separated", ed25519 + "\r" + fixture("rsa2048.pub"), SINGLE_LINE),
                arguments("command option", "command=\"echo hi\" " + ed25519, NOT_A_KEY),
                arguments("no-pty option", "no-pty " + ed25519, NOT_A_KEY),
                arguments("from option", "from=\"10.0.0.1\",no-agent-forwarding " + ed25519, NOT_A_KEY),
                arguments("markup is not echoed", "<script>alert(1)</script> " + ed25519.split(" ")[1], NOT_A_KEY),
                arguments("NUL in type", "ssh-ed25519\0 " + ed25519.split(" ")[1], NOT_A_KEY),
                arguments("leading NUL is not whitespace", "\0" + ed25519, NOT_A_KEY),
                arguments("trailing NUL is not whitespace", ed25519 + "\0", CONTROL_IN_COMMENT),
                arguments("non-ASCII type", "ssh-ed25519é " + ed25519.split(" ")[1], NOT_A_KEY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void rejectsGarbage(String description, String text, String message) {
        assertRejected(text, message);
    }

    @Test
    void rejectsBlobWhoseInnerTypeDiffersFromTheOuterType() {
        assertRejected(line("ssh-ed25519", blobOf("rsa2048.pub")), TYPE_MISMATCH);
        assertRejected(line("ssh-rsa", blobOf("ed25519.pub")), TYPE_MISMATCH);
        assertRejected(line("ecdsa-sha2-nistp384", blobOf("ecdsa256.pub")), TYPE_MISMATCH);
        assertRejected(line("ssh-ed25519", blobOf("sk-ed25519.pub")), TYPE_MISMATCH);
        assertRejected(line("SSH-ED25519", blobOf("ed25519.pub")), TYPE_MISMATCH);
        assertRejected(line("ssh-dss", blobOf("ed25519.pub")), TYPE_MISMATCH);
    }

    @ParameterizedTest
    @MethodSource("acceptedFixtures")
    void rejectsEveryTruncationOfAValidBlob(String file) {
        byte[] blob = blobOf(file);
        String type = typeOf(file);
        for (int length = 0; length < blob.length; length++) {
            assertRejected(line(type, Arrays.copyOf(blob, length)), NOT_A_KEY);
        }
    }

    @ParameterizedTest
    @MethodSource("acceptedFixtures")
    void rejectsTrailingBytes(String file) {
        byte[] blob = blobOf(file);
        assertRejected(line(typeOf(file), concat(blob, new byte[1])), NOT_A_KEY);
        assertRejected(line(typeOf(file), concat(blob, new byte[4])), NOT_A_KEY); // an extra empty string
    }

    @Test
    void rejectsLengthsPointingPastTheEnd() {
        byte[] key = new byte[32];
        for (int length : new int[] {33, 1 << 20, Integer.MAX_VALUE, -1 /* 0xFFFFFFFF */}) {
            byte[] lying = concat(blob("ssh-ed25519"), ByteBuffer.allocate(4).putInt(length).array(), key);
            assertRejected(line("ssh-ed25519", lying), NOT_A_KEY);
        }
        byte[] hugeTypeLength = concat(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF},
                "ssh-ed25519".getBytes(UTF_8));
        assertRejected(line("ssh-ed25519", hugeTypeLength), NOT_A_KEY);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 33, 64})
    void rejectsEd25519KeysOfTheWrongSize(int size) {
        assertRejected(line("ssh-ed25519", blob("ssh-ed25519", new byte[size])), NOT_A_KEY);
        assertThat(SshPublicKey.parse(line("ssh-ed25519", blob("ssh-ed25519", new byte[32]))).bits()).isEqualTo(256);
    }

    @Test
    void rejectsSecurityKeysWithoutAnApplication() {
        List<byte[]> fields = fieldsOf("sk-ed25519.pub"); // type, key, application
        String type = "sk-ssh-ed25519@openssh.com";
        assertThat(SshPublicKey.parse(line(type, blob(type, fields.get(1), "ssh:"))).bits()).isEqualTo(256);
        assertRejected(line(type, blob(type, fields.get(1))), NOT_A_KEY);
        assertRejected(line(type, blob(type, fields.get(1), "")), NOT_A_KEY);
        assertRejected(line(type, blob(type, fields.get(1), "ssh:\0")), NOT_A_KEY);
    }

    @Test
    void requiresRsaNumbersToBePositiveMinimalMpints() {
        List<byte[]> fields = fieldsOf("rsa2048.pub"); // type, e, n
        byte[] e = fields.get(1);
        byte[] n = fields.get(2);
        assertThat(n[0]).as("n has its top bit set, hence a leading zero byte").isZero();
        // the blob builder is right: reassembling the real fields gives back the real key
        assertThat(SshPublicKey.parse(line("ssh-rsa", blob("ssh-rsa", e, n))).fingerprint())
                .isEqualTo(SshPublicKey.parse(fixture("rsa2048.pub")).fingerprint());

        byte[] nWithoutSignByte = Arrays.copyOfRange(n, 1, n.length);
        for (byte[][] numbers : List.of(
                new byte[][] {{}, n},                              // e = 0
                new byte[][] {{0}, n},                             // e = 0, badly encoded
                new byte[][] {{(byte) 0x81}, n},                   // e negative
                new byte[][] {{0, 1, 0, 1}, n},                    // e with a superfluous leading zero
                new byte[][] {e, nWithoutSignByte},                // n negative
                new byte[][] {e, concat(new byte[1], n)},          // n with a superfluous leading zero
                new byte[][] {e, {}})) {                           // n = 0
            assertRejected(line("ssh-rsa", blob("ssh-rsa", numbers[0], numbers[1])), NOT_A_KEY);
        }
    }

    @Test
    void enforcesRsaSizeLimits() {
        assertThat(SshPublicKey.parse(rsaWithModulusBits(2048)).bits()).isEqualTo(2048);
        assertThat(SshPublicKey.parse(rsaWithModulusBits(16384)).bits()).isEqualTo(16384);
        assertRejected(rsaWithModulusBits(2047), "RSA keys must be at least 2048 bits.");
        assertRejected(rsaWithModulusBits(16385), "RSA keys must be at most 16384 bits.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecdsa256.pub", "ecdsa384.pub", "ecdsa521.pub"})
    void rejectsInvalidEcdsaPoints(String file) {
        String type = typeOf(file);
        List<byte[]> fields = fieldsOf(file); // type, curve, point
        byte[] curve = fields.get(1);
        byte[] point = fields.get(2);
        assertThat(SshPublicKey.parse(line(type, blob(type, curve, point))).type()).isEqualTo(type);

        byte[] offCurve = point.clone();
        offCurve[offCurve.length - 1] ^= 1;
        byte[] hybrid = point.clone();
        hybrid[0] = 0x06;
        byte[] compressed = Arrays.copyOf(point, 1 + (point.length - 1) / 2);
        compressed[0] = 0x02;
        for (byte[] bad : List.of(offCurve, hybrid, compressed, Arrays.copyOf(point, point.length - 1),
                concat(point, new byte[1]), new byte[] {0x00}, new byte[0], new byte[point.length])) {
            assertRejected(line(type, blob(type, curve, bad)), NOT_A_KEY);
        }
    }

    @Test
    void requiresTheCurveInsideTheBlobToMatchTheType() {
        byte[] p256 = fieldsOf("ecdsa256.pub").get(2);
        byte[] p384 = fieldsOf("ecdsa384.pub").get(2);
        String type = "ecdsa-sha2-nistp256";
        assertRejected(line(type, blob(type, "nistp384", p256)), NOT_A_KEY);
        assertRejected(line(type, blob(type, "nistp384", p384)), NOT_A_KEY);
        assertRejected(line(type, blob(type, "nistp256", p384)), NOT_A_KEY);
        assertRejected(line(type, blob(type, "secp256r1", p256)), NOT_A_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ecdsa256-small-x.pub", "ecdsa256-large-x.pub"})
    void rejectsPointsOnTheCurveThatOpenSshRejects(String file) {
        assertRejected(fixture(file), NOT_A_KEY);
    }

    @Test
    void trimsTheLineAndKeepsTheCommentAsWritten() {
        String base64 = fixture("ed25519.pub").split(" ")[1];

        SshPublicKey key = SshPublicKey.parse("\n  ssh-ed25519 \t" + base64 + "\t  my  laptop: José 🔑  \r\n");

        assertThat(key.comment()).isEqualTo("my  laptop: José 🔑");
        assertThat(key.base64()).isEqualTo(base64);
        assertThat(key.openSsh()).isEqualTo("ssh-ed25519 " + base64 + " my  laptop: José 🔑");
        assertThat(SshPublicKey.parse(key.openSsh())).isEqualTo(key);
    }

    @Test
    void hasNoCommentWhenNoneIsGiven() {
        String base64 = fixture("ed25519.pub").split(" ")[1];

        SshPublicKey key = SshPublicKey.parse("ssh-ed25519 " + base64 + " \t ");

        assertThat(key.comment()).isNull();
        assertThat(key.openSsh()).isEqualTo("ssh-ed25519 " + base64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u0007", "\t", "\u000B", "\u001B[31m", "\u007F", "\u0085", "\u009B"})
    void rejectsControlCharactersInTheComment(String control) {
        assertRejected(fixture("ed25519.pub").strip() + " evil" + control + "comment", CONTROL_IN_COMMENT);
    }

    @Test
    void acceptsInputUpTo16KiB() {
        String key = withoutComment("ed25519.pub");
        String longest = key + " " + "x".repeat(SshPublicKey.MAX_INPUT_LENGTH - key.length() - 1);
        assertThat(longest.length()).isEqualTo(16 * 1024);

        assertThat(SshPublicKey.parse(longest).comment().length()).isEqualTo(longest.length() - key.length() - 1);
        assertRejected(longest + "x", TOO_LONG);
        assertRejected(longest + " ", TOO_LONG); // the limit applies before trimming
    }

    @Test
    void countsTheLimitInUtf8Bytes() {
        String key = withoutComment("ed25519.pub");
        int room = SshPublicKey.MAX_INPUT_LENGTH - key.length() - 1;
        String twoByteChars = "é".repeat(room / 2 + 1); // fewer chars than the limit, more bytes

        assertThat((key + " " + twoByteChars).length()).isLessThan(SshPublicKey.MAX_INPUT_LENGTH);
        assertRejected(key + " " + twoByteChars, TOO_LONG);
        assertThat(SshPublicKey.parse(key + " " + "é".repeat(room / 2)).comment().length()).isEqualTo(room / 2);
    }

    @Test
    void rejectsHugeInputCheaply() {
        String huge = "ssh-rsa " + "A".repeat(10 * 1024 * 1024);
        assertRejected(huge, TOO_LONG);
    }

    @Test
    void mangledInputOnlyEverThrowsInvalidSshKeyException() {
        Random random = new Random(20_240_601);
        int accepted = 0;
        int rejected = 0;
        for (String file : ACCEPTED_FIXTURES) {
            byte[] original = blobOf(file);
            for (int round = 0; round < 400; round++) {
                byte[] blob = original.clone();
                switch (round % 4) {
                    case 0 -> blob[random.nextInt(blob.length)] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> blob[random.nextInt(blob.length)] = (byte) random.nextInt(256);
                    case 2 -> ByteBuffer.wrap(blob).putInt(random.nextInt(blob.length - 3), random.nextInt());
                    default -> blob = Arrays.copyOf(blob, random.nextInt(blob.length * 2));
                }
                try {
                    SshPublicKey.parse(line(typeOf(file), blob));
                    accepted++;
                } catch (InvalidSshKeyException expected) {
                    rejected++;
                }
            }
        }
        for (int round = 0; round < 2000; round++) {
            char[] chars = new char[random.nextInt(200)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) (round % 2 == 0 ? 32 + random.nextInt(95) : random.nextInt(0x3000));
            }
            try {
                SshPublicKey.parse("ssh-ed25519 " + new String(chars));
            } catch (InvalidSshKeyException expected) {
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(4000);
        assertThat(accepted).as("flipped bits inside RSA moduli still make valid keys").isPositive();
    }

    // ----------------------------------------------------------------------------------------------------------

    static Stream<String> acceptedFixtures() {
        return ACCEPTED_FIXTURES.stream();
    }

    private static void assertRejected(String text, String message) {
        assertThatThrownBy(() -> SshPublicKey.parse(text))
                .isExactlyInstanceOf(InvalidSshKeyException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    private static String fixture(String name) {
        try (InputStream in = SshPublicKeyTest.class.getResourceAsStream("/sshkeys/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutComment(String file) {
        String[] fields = fixture(file).split(" ");
        return fields[0] + " " + fields[1].strip();
    }

    private static String typeOf(String file) {
        return fixture(file).split(" ")[0];
    }

    private static byte[] blobOf(String file) {
        return Base64.getDecoder().decode(fixture(file).split(" ")[1].strip());
    }

    /** Splits a known-good blob into its length-prefixed strings. */
    private static List<byte[]> fieldsOf(String file) {
        ByteBuffer in = ByteBuffer.wrap(blobOf(file));
        List<byte[]> fields = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] field = new byte[in.getInt()];
            in.get(field);
            fields.add(field);
        }
        return fields;
    }

    /** SSH wire format: each field as a uint32 length then its bytes; Strings in UTF-8. */
    private static byte[] blob(Object... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object field : fields) {
            byte[] bytes = field instanceof String s ? s.getBytes(UTF_8) : (byte[]) field;
            out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static String line(String type, byte[] blob) {
        return type + " " + Base64.getEncoder().encodeToString(blob);
    }

    private static String rsaWithModulusBits(int bits) {
        BigInteger n = new BigInteger(bits, new Random(bits)).setBit(bits - 1).setBit(0);
        // BigInteger.toByteArray() is exactly an SSH mpint: minimal two's complement, big-endian
        return line("ssh-rsa", blob("ssh-rsa", BigInteger.valueOf(65537).toByteArray(), n.toByteArray()));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
