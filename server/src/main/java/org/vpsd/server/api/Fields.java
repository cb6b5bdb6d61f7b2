package org.vpsd.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Set;
import org.vpsd.server.domain.FieldErrors;

/**
 * Typed, strict access to the fields of a JSON object body, collecting Django REST Framework-style
 * messages: a string must be a JSON string, an integer a JSON integer, a boolean a JSON boolean.
 * A getter returns null for a field that is absent, null (where allowed) or of the wrong type; the
 * error, if any, is in {@link #errors()}.
 */
final class Fields {
    private final ObjectNode body;
    private final FieldErrors errors = new FieldErrors();

    Fields(ObjectNode body) {
        this.body = body;
    }

    FieldErrors errors() {
        return errors;
    }

    /** Marks every field that is not {@code writable}: read-only ones as such, others as unknown. */
    Fields only(Set<String> writable, Set<String> readOnly) {
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!writable.contains(name)) {
                errors.add(name, readOnly.contains(name) ? "This field is read-only." : "Unknown field.");
            }
        }
        return this;
    }

    boolean has(String name) {
        return body.has(name);
    }

    private JsonNode present(String name, boolean nullable) {
        JsonNode n = body.get(name);
        if (n == null) {
            return null;
        }
        if (n.isNull()) {
            if (!nullable) {
                errors.add(name, "This field may not be null.");
            }
            return null;
        }
        return n;
    }

    String string(String name, boolean nullable) {
        JsonNode n = present(name, nullable);
        if (n == null) {
            return null;
        }
        if (!n.isTextual()) {
            errors.add(name, "Not a valid string.");
            return null;
        }
        String v = n.textValue();
        if (v.indexOf('\u0000') >= 0) {
            errors.add(name, "Null characters are not allowed.");
            return null;
        }
        if (v.codePoints().anyMatch(c -> c >= 0xD800 && c <= 0xDFFF)) {
            errors.add(name, "Surrogate characters are not allowed.");
            return null;
        }
        return v;
    }

    Long integer(String name, boolean nullable) {
        JsonNode n = present(name, nullable);
        if (n == null) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            errors.add(name, "A valid integer is required.");
            return null;
        }
        return n.longValue();
    }

    Boolean bool(String name, boolean nullable) {
        JsonNode n = present(name, nullable);
        if (n == null) {
            return null;
        }
        if (!n.isBoolean()) {
            errors.add(name, "Must be a valid boolean.");
            return null;
        }
        return n.booleanValue();
    }

    /** A decimal given as a JSON number or a numeric string (money). */
    BigDecimal decimal(String name, boolean nullable) {
        JsonNode n = present(name, nullable);
        if (n == null) {
            return null;
        }
        try {
            if (n.isNumber()) {
                return n.decimalValue();
            }
            if (n.isTextual() && n.textValue().length() <= 40) {
                return new BigDecimal(n.textValue().trim());
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        errors.add(name, "A valid number is required.");
        return null;
    }
}
