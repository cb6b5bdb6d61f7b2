package org.vpsd.server.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Small helpers for reading columns that may be NULL. */
final class Rows {
    private Rows() {}

    static Instant instant(ResultSet r, String column) throws SQLException {
        return instant(r, r.findColumn(column));
    }

    static Long longOrNull(ResultSet r, String column) throws SQLException {
        return longOrNull(r, r.findColumn(column));
    }

    static Instant instant(ResultSet r, int column) throws SQLException {
        OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Long longOrNull(ResultSet r, int column) throws SQLException {
        long v = r.getLong(column);
        return r.wasNull() ? null : v;
    }

    /**
     * The positions of a fixed SELECT list's columns, read from the statement's text once: each item's
     * alias ({@code ... AS name}) or column name ({@code t.name}). Asking for a name the list does not
     * hold fails when the class loads, so a mapper and its SELECT cannot drift apart unnoticed.
     */
    static final class Columns {
        private final List<String> names;

        private Columns(List<String> names) {
            this.names = names;
        }

        static Columns of(String select) {
            String text = select.strip();
            int from = text.toUpperCase(Locale.ROOT).indexOf(" FROM ");
            if (!text.regionMatches(true, 0, "SELECT ", 0, 7) || from < 0) {
                throw new IllegalArgumentException("Not a SELECT ... FROM statement: " + select);
            }
            List<String> names = new ArrayList<>();
            for (String item : text.substring(7, from).split(",")) {
                String[] words = item.strip().split("\\s+");
                String last = words[words.length - 1];
                names.add(last.substring(last.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT));
            }
            return new Columns(List.copyOf(names));
        }

        /** The 1-based JDBC position of a column. */
        int at(String name) {
            int i = names.indexOf(name);
            if (i < 0 || names.lastIndexOf(name) != i) {
                throw new IllegalStateException("The SELECT list " + names + " has no single column " + name);
            }
            return i + 1;
        }
    }
}
