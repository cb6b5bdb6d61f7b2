package org.vpsd.server.store;

import java.util.HashMap;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.OsImage;
import org.vpsd.server.domain.Plan;

/**
 * The plans, OS images and location codes of one database, held in memory with the catalog's number
 * (migration V5) they were read at. A server read carries the number its own snapshot saw
 * ({@link ServerSql}); only when that is the number held here are the plan, image and location taken
 * from here, so an answer is exactly what joining the three tables in that statement would have given.
 * Otherwise the read is made again after {@link #refresh}. The three primary-key joins cost
 * PostgreSQL about a quarter of a server's detail and most of a page of 50 (bench/RESULTS.md).
 * One per {@link Database}: numbers of two databases say nothing about each other.
 */
final class CatalogCache {
    /** The catalog as of one number. */
    record Snapshot(long version, Map<Long, Plan> plans, Map<Long, OsImage> images, Map<Long, String> locationCodes) {
        /** Thrown by a read whose row does not match this snapshot; the read is made again after a refresh. */
        static final class Stale extends RuntimeException {
            Stale() {
                super("catalog changed since it was read", null, false, false);
            }
        }

        Plan plan(long id) {
            return found(plans.get(id));
        }

        OsImage image(long id) {
            return found(images.get(id));
        }

        String locationCode(long id) {
            return found(locationCodes.get(id));
        }

        void check(long rowVersion) {
            if (rowVersion != version) {
                throw new Stale();
            }
        }

        private static <T> T found(T value) {
            if (value == null) {
                throw new Stale();
            }
            return value;
        }
    }

    /** Reads made again at most this often when the catalog keeps changing under them. */
    static final int ATTEMPTS = 5;

    private static final Snapshot NONE = new Snapshot(Long.MIN_VALUE, Map.of(), Map.of(), Map.of());

    private volatile Snapshot current = NONE;
    private final java.util.concurrent.atomic.AtomicLong loads = new java.util.concurrent.atomic.AtomicLong();

    Snapshot current() {
        return current;
    }

    /** How many times the catalog was read from the database. */
    long loads() {
        return loads.get();
    }

    /**
     * The catalog to read with after {@code stale} did not match a row: the one held now if another read
     * has loaded it meanwhile, else a fresh load.
     */
    Snapshot after(Snapshot stale, Handle h) {
        Snapshot held = current;
        return held != stale ? held : refresh(h);
    }

    /**
     * Loads the catalog on {@code h}. Its number is read before and after the tables: a change commits
     * its tables and a higher number together, so equal numbers mean the tables read between are the
     * catalog as of that number (whether or not {@code h} is in a transaction). Only what autocommit read
     * is kept for other reads.
     */
    Snapshot refresh(Handle h) {
        loads.incrementAndGet();
        for (int attempt = 1; ; attempt++) {
            long before = version(h);
            Map<Long, Plan> plans = new HashMap<>();
            h.createQuery("SELECT * FROM plans").map(CatalogSql.PLAN).forEach(p -> plans.put(p.id(), p));
            Map<Long, OsImage> images = new HashMap<>();
            h.createQuery("SELECT * FROM os_images").map(CatalogSql.OS).forEach(o -> images.put(o.id(), o));
            Map<Long, String> codes = new HashMap<>();
            h.createQuery("SELECT id, code FROM locations").map((r, ctx) -> Map.entry(r.getLong(1), r.getString(2)))
                    .forEach(e -> codes.put(e.getKey(), e.getValue()));
            if (version(h) == before) {
                Snapshot s = new Snapshot(before, Map.copyOf(plans), Map.copyOf(images), Map.copyOf(codes));
                // Inside a transaction the catalog read may be that transaction's own uncommitted change, whose
                // number a rollback would free for a different one: only a committed catalog is kept for others.
                if (committed(h) && s.version() > current.version()) {
                    current = s;
                }
                return s;
            }
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException("The catalog kept changing while it was read");
            }
        }
    }

    private static boolean committed(Handle h) {
        try {
            return h.getConnection().getAutoCommit();
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private static long version(Handle h) {
        return Jdbc.count(h, "SELECT version FROM catalog_version WHERE id = 1", ps -> {});
    }
}
