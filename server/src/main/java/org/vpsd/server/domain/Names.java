package org.vpsd.server.domain;

import java.util.regex.Pattern;

/** The rules for server names and hostnames (RFC 1123). */
public final class Names {
    /** The message when an account already has a server of that name. */
    public static final String NAME_TAKEN = "A server with this name already exists.";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern ALL_DIGITS = Pattern.compile("[0-9]+");

    private Names() {}

    /**
     * The message for an invalid server name, or {@code null} when it is valid: 1 to 63 characters
     * of {@code A-Z a-z 0-9 -}, neither starting nor ending with a hyphen.
     */
    public static String serverNameProblem(String name) {
        if (name.isEmpty()) {
            return "This field may not be blank.";
        }
        if (name.length() > 63) {
            return "Ensure this field has no more than 63 characters.";
        }
        if (!NAME.matcher(name).matches()) {
            return "Enter a valid name: letters, digits and hyphens, not starting or ending with a hyphen.";
        }
        return null;
    }

    /**
     * The message for an invalid hostname, or {@code null} when it is a valid fully qualified
     * domain name: at least two dot-separated RFC 1123 labels of 1 to 63 characters, at most 253
     * characters in all, a top-level label that is not all digits; one trailing dot is allowed.
     */
    public static String hostnameProblem(String hostname) {
        if (hostname.isEmpty()) {
            return "This field may not be blank.";
        }
        String h = hostname.endsWith(".") ? hostname.substring(0, hostname.length() - 1) : hostname;
        if (h.length() > 253) {
            return "Ensure this field has no more than 253 characters.";
        }
        String[] labels = h.split("\\.", -1);
        boolean valid = labels.length >= 2 && !ALL_DIGITS.matcher(labels[labels.length - 1]).matches();
        for (String label : labels) {
            valid &= LABEL.matcher(label).matches();
        }
        return valid ? null : "Enter a valid fully qualified domain name.";
    }
}
