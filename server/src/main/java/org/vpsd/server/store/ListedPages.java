package org.vpsd.server.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Status;

/**
 * Recent pages of customers' lists on PostgreSQL (one per {@link Database}), each with the two figures
 * that say whether it is still what a fresh read would give: the sum of the changes counted on the
 * list's counter rows (migration-postgresql/V6) and the catalog's number. {@link ServerSql#listed}
 * sends both with the page's statement, which reads the page only when either differs in its own
 * snapshot; when both are unchanged no listed server and no plan, image or location the page names
 * has changed since the page was read, and it is answered from here. So a page from here is never
 * older than the request: it only saves reading rows that are known to be the same. A list that
 * changes between requests costs what it did without this (the statement reads the page).
 *
 * <p>At most {@link #CAPACITY} pages, the least recently used dropped first: a page of 50 is about
 * 15 kB here.
 */
final class ListedPages {
    static final int CAPACITY = 512;

    /** A list's request: whose servers, which filter, which window. */
    record Key(long accountId, Status status, Long locationId, long offset, int limit) {
        static Key of(Repositories.ServerFilter filter, long offset, int limit) {
            return new Key(filter.accountId(), filter.status(), filter.locationId(), offset, limit);
        }
    }

    /** A page as read, with the changes and the catalog's number its statement saw. */
    record Known(long changes, long catalogVersion, Repositories.ListedPage page) {}

    private final Map<Key, Known> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Known> eldest) {
            return size() > CAPACITY;
        }
    };
    private final LongAdder reused = new LongAdder();
    private final LongAdder read = new LongAdder();

    synchronized Known get(Key key) {
        return entries.get(key);
    }

    synchronized void put(Key key, Known entry) {
        entries.put(key, entry);
    }

    void counted(boolean fromHere) {
        (fromHere ? reused : read).increment();
    }

    /** Pages answered from here since the start. */
    long reused() {
        return reused.sum();
    }

    /** Pages read from the database since the start. */
    long read() {
        return read.sum();
    }
}
