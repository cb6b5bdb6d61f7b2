package org.vpsd.server.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-field validation messages, collected and then thrown together, the way Django REST
 * Framework answers: {@code {"name": ["This field is required."], "plan_id": [...]}}.
 */
public final class FieldErrors {
    private final Map<String, List<String>> errors = new LinkedHashMap<>();

    public FieldErrors add(String field, String message) {
        errors.computeIfAbsent(field, f -> new ArrayList<>()).add(message);
        return this;
    }

    public boolean has(String field) {
        return errors.containsKey(field);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws the collected errors, if any. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new Invalid(this);
        }
    }

    public Map<String, List<String>> asMap() {
        return Collections.unmodifiableMap(errors);
    }

    public static Invalid of(String field, String message) {
        return new Invalid(new FieldErrors().add(field, message));
    }

    /** The exception carrying the errors: answered with 400 and the map as the body. */
    public static final class Invalid extends DomainException {
        private final FieldErrors errors;

        public Invalid(FieldErrors errors) {
            super("Invalid input: " + errors.errors);
            this.errors = errors;
        }

        public Map<String, List<String>> errors() {
            return errors.asMap();
        }
    }
}
