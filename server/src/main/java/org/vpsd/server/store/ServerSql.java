package org.vpsd.server.store;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.vpsd.server.domain.FieldErrors;
import org.vpsd.server.domain.ListedServer;
import org.vpsd.server.domain.Names;
import org.vpsd.server.domain.Operation;
import org.vpsd.server.domain.OsImage;
import org.vpsd.server.domain.Plan;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.Status;
import org.vpsd.server.domain.Usage;

final class ServerSql implements Repositories.Servers {

    /** A server's own columns and its usage's, first in both forms of its read (so in the same places). */
    private static final String SERVER_COLUMNS = """
            SELECT s.id, s.account_id, s.name, s.hostname, s.status, s.location_id, s.plan_id, s.os_id, s.ssh_key_id,
                   s.backups_enabled, s.ipv4, s.ipv6, s.host_id, s.hourly_price, s.created_at, s.updated_at,
                   s.provisioned_at, s.status_detail,
                   u.cpu_percent AS u_cpu, u.memory_mb AS u_memory, u.disk_gb AS u_disk, u.bandwidth_gb AS u_bandwidth,
                   u.collected_at AS u_at,
            """;

    /** A server with its plan, image, location code and last usage: one row, primary-key joins. */
    static final String SELECT = SERVER_COLUMNS + """
                   l.code AS location_code,
                   p.name AS p_name, p.vcpus AS p_vcpus, p.memory_mb AS p_memory_mb, p.storage_gb AS p_storage_gb,
                   p.bandwidth_gb AS p_bandwidth_gb, p.hourly_price AS p_hourly_price, p.available AS p_available,
                   o.name AS o_name, o.image AS o_image, o.available AS o_available
              FROM servers s
              JOIN locations l ON l.id = s.location_id
              JOIN plans p ON p.id = s.plan_id
              JOIN os_images o ON o.id = s.os_id
              LEFT JOIN server_usage u ON u.server_id = s.id
            """;

    /**
     * The reads every request makes on PostgreSQL ({@link #find}, {@link #findForAccount}, {@link #findAll},
     * {@link #page}): the same server and usage columns as {@link #SELECT}, and instead of the catalog's three
     * tables the catalog's number, with the plan, image and location then taken from {@link CatalogCache}
     * (which says why this cannot answer with an older catalog than the row's).
     */
    static final String SELECT_LEAN = SERVER_COLUMNS + """
                   v.version AS catalog_version
              FROM servers s
              JOIN catalog_version v ON v.id = 1
              LEFT JOIN server_usage u ON u.server_id = s.id
            """;

    /**
     * What the customer's list shows of a server ({@link #listed}, on PostgreSQL): 10 of its columns,
     * no usage, and the catalog's number for the plan, image and location taken from memory; the
     * address as shown ({@link Server#visibleIpv4}: none before the server is provisioned). A page of 50
     * cost PostgreSQL and the JDBC driver a quarter less than {@link #SELECT_LEAN}'s (bench/RESULTS.md).
     */
    static final String LISTED_LEAN = """
            SELECT s.id, s.name, s.hostname, s.status, s.location_id, s.plan_id, s.os_id,
                   CASE WHEN s.provisioned_at IS NULL THEN NULL ELSE s.ipv4 END AS ipv4,
                   s.created_at, s.updated_at, v.version AS catalog_version
              FROM servers s
              JOIN catalog_version v ON v.id = 1
            """;

    /**
     * Columns by position, taken from {@link #SELECT} itself: reading by label made the JDBC driver build
     * a name index per result set, a measurable share of a detail request.
     */
    private static final Rows.Columns C = Rows.Columns.of(SELECT);
    private static final Rows.Columns LEAN = Rows.Columns.of(SELECT_LEAN);
    private static final int ID = C.at("id"), ACCOUNT = C.at("account_id"), NAME = C.at("name"), HOSTNAME = C.at("hostname"),
            STATUS = C.at("status"), LOCATION = C.at("location_id"), PLAN = C.at("plan_id"), OS = C.at("os_id"),
            SSH_KEY = C.at("ssh_key_id"), BACKUPS = C.at("backups_enabled"), IPV4 = C.at("ipv4"), IPV6 = C.at("ipv6"),
            HOST = C.at("host_id"), PRICE = C.at("hourly_price"), CREATED = C.at("created_at"), UPDATED = C.at("updated_at"),
            PROVISIONED = C.at("provisioned_at"), DETAIL = C.at("status_detail"), LOCATION_CODE = C.at("location_code"),
            P_NAME = C.at("p_name"), P_VCPUS = C.at("p_vcpus"), P_MEMORY = C.at("p_memory_mb"), P_STORAGE = C.at("p_storage_gb"),
            P_BANDWIDTH = C.at("p_bandwidth_gb"), P_PRICE = C.at("p_hourly_price"), P_AVAILABLE = C.at("p_available"),
            O_NAME = C.at("o_name"), O_IMAGE = C.at("o_image"), O_AVAILABLE = C.at("o_available"), U_CPU = C.at("u_cpu"),
            U_MEMORY = C.at("u_memory"), U_DISK = C.at("u_disk"), U_BANDWIDTH = C.at("u_bandwidth"), U_AT = C.at("u_at"),
            CATALOG_VERSION = LEAN.at("catalog_version");
    /** In {@link #page}'s statement on PostgreSQL: the total, after the page's columns. */
    private static final int PAGE_TOTAL = CATALOG_VERSION + 1;
    private static final Rows.Columns L = Rows.Columns.of(LISTED_LEAN);
    private static final int L_ID = L.at("id"), L_NAME = L.at("name"), L_HOSTNAME = L.at("hostname"), L_STATUS = L.at("status"),
            L_LOCATION = L.at("location_id"), L_PLAN = L.at("plan_id"), L_OS = L.at("os_id"), L_IPV4 = L.at("ipv4"),
            L_CREATED = L.at("created_at"), L_UPDATED = L.at("updated_at"),
            L_CATALOG_VERSION = L.at("catalog_version"), L_TOTAL = L_CATALOG_VERSION + 1;

    /** A server as {@link #SELECT} reads it, catalog columns and all. */
    static final Jdbc.Reader<Server> READ = r -> server(r, r.getString(LOCATION_CODE),
            new Plan(r.getLong(PLAN), r.getString(P_NAME), r.getInt(P_VCPUS), r.getInt(P_MEMORY),
                    r.getInt(P_STORAGE), r.getInt(P_BANDWIDTH), r.getBigDecimal(P_PRICE), r.getBoolean(P_AVAILABLE)),
            new OsImage(r.getLong(OS), r.getString(O_NAME), r.getString(O_IMAGE), r.getBoolean(O_AVAILABLE)));

    /** A server as {@link #SELECT_LEAN} reads it, with {@code catalog} if that is the catalog the row's statement saw. */
    private static Jdbc.Reader<Server> lean(CatalogCache.Snapshot catalog) {
        return r -> {
            catalog.check(r.getLong(CATALOG_VERSION));
            return server(r, catalog.locationCode(r.getLong(LOCATION)), catalog.plan(r.getLong(PLAN)), catalog.image(r.getLong(OS)));
        };
    }

    /** A listed server as {@link #LISTED_LEAN} reads it, with {@code catalog} if that is the catalog the row's statement saw. */
    private static Jdbc.Reader<ListedServer> listed(CatalogCache.Snapshot catalog) {
        return r -> {
            catalog.check(r.getLong(L_CATALOG_VERSION));
            return new ListedServer(r.getLong(L_ID), r.getString(L_NAME), r.getString(L_HOSTNAME), Status.fromDb(r.getString(L_STATUS)),
                    r.getString(L_IPV4), catalog.locationCode(r.getLong(L_LOCATION)),
                    catalog.plan(r.getLong(L_PLAN)), catalog.image(r.getLong(L_OS)), Rows.instant(r, L_CREATED),
                    Rows.instant(r, L_UPDATED));
        };
    }

    private static Server server(ResultSet r, String locationCode, Plan plan, OsImage os) throws SQLException {
        Instant usageAt = Rows.instant(r, U_AT);
        Usage usage = usageAt == null ? Usage.NONE
                : new Usage(r.getDouble(U_CPU), r.getLong(U_MEMORY), r.getLong(U_DISK), r.getLong(U_BANDWIDTH), usageAt);
        return new Server(
                r.getLong(ID), r.getLong(ACCOUNT), r.getString(NAME), r.getString(HOSTNAME),
                Status.fromDb(r.getString(STATUS)), r.getLong(LOCATION), locationCode, plan, os,
                Rows.longOrNull(r, SSH_KEY), r.getBoolean(BACKUPS), r.getString(IPV4), r.getString(IPV6),
                Rows.longOrNull(r, HOST), r.getBigDecimal(PRICE), Rows.instant(r, CREATED),
                Rows.instant(r, UPDATED), Rows.instant(r, PROVISIONED), r.getString(DETAIL), usage);
    }

    /**
     * Runs a server read: on H2 ({@code catalog} null) {@code read(SELECT, READ)}; on PostgreSQL
     * {@code read(SELECT_LEAN, reader)} with the catalog in memory, and when the row's catalog number
     * is not that one (or it names a plan, image or location the memory lacks), again after the
     * catalog is loaded.
     */
    private <T> T withCatalog(java.util.function.BiFunction<String, Jdbc.Reader<Server>, T> read) {
        if (catalog == null) {
            return read.apply(SELECT, READ);
        }
        return withSnapshot(snapshot -> read.apply(SELECT_LEAN, lean(snapshot)));
    }

    /** Runs {@code read} with the catalog in memory, and when a row saw another catalog, again after loading it. */
    private <T> T withSnapshot(java.util.function.Function<CatalogCache.Snapshot, T> read) {
        CatalogCache.Snapshot snapshot = catalog.current();
        for (int attempt = 1; ; attempt++) {
            try {
                return read.apply(snapshot);
            } catch (CatalogCache.Snapshot.Stale e) {
                if (attempt == CatalogCache.ATTEMPTS) {
                    throw new IllegalStateException("The catalog kept changing while servers were read", e);
                }
                snapshot = catalog.after(snapshot, h);
            }
        }
    }

    static final RowMapper<Server> ROW = (r, ctx) -> READ.read(r);

    /** Ids per statement when asking about many servers at once (databases cap a statement's parameters). */
    private static final int EXISTING_CHUNK = 1_000;

    private final Handle h;
    private final CatalogCache catalog;

    ServerSql(Handle h, CatalogCache catalog) {
        this.h = h;
        this.catalog = catalog;
    }

    /*
     * A create on PostgreSQL, in one statement sent in autocommit: what the order refers to (plan, image,
     * location, SSH key) if all of it may be used, the conditional charge of the plan's first period, then
     * the server, its task, its event and the ledger row; nothing at all when any of it is missing or
     * the balance is short. The account's row, which every create of the account needs, is locked from
     * the charge to the commit inside PostgreSQL alone: as the last statement of a transaction it stayed
     * locked until vpsd's thread got a carrier back to send COMMIT, and under load the account's creates
     * queued behind that (bench/RESULTS.md). The server comes back as a read shows it (no usage yet).
     */
    private static final String CREATE_PG = """
            WITH offer AS (
                SELECT p.id AS plan_id, p.hourly_price, o.id AS os_id, l.id AS location_id,
                       'Created: ' || p.name || ', ' || o.name || ', ' || l.code || '.' AS event
                  FROM plans p, os_images o, locations l
                 WHERE p.id = :planId AND p.available AND o.id = :osId AND o.available AND l.code = :locationCode AND l.available
                   AND (CAST(:sshKeyId AS BIGINT) IS NULL
                        OR EXISTS (SELECT 1 FROM ssh_keys k WHERE k.id = :sshKeyId AND k.account_id = :accountId))),
            charged AS (
                UPDATE accounts a SET balance = a.balance - offer.hourly_price FROM offer
                 WHERE a.id = :accountId AND a.balance >= offer.hourly_price
                RETURNING a.balance, offer.*),
            created AS (
                INSERT INTO servers (account_id, name, live_name, hostname, status, location_id, plan_id, os_id, ssh_key_id,
                                     backups_enabled, hourly_price, billed_periods, next_charge_at, created_at, updated_at)
                SELECT :accountId, :name, :name, :hostname, 'provisioning', location_id, plan_id, os_id, :sshKeyId,
                       :backupsEnabled, hourly_price, 1, :nextChargeAt, :now, :now FROM charged
                RETURNING *),
            task AS (
                INSERT INTO server_tasks (server_id, operation, step, generation, attempts, run_at, created_at)
                SELECT id, :operation, 0, 0, 0, :now, :now FROM created),
            event AS (
                INSERT INTO server_events (server_id, at, kind, message)
                SELECT created.id, :now, 'created', LEFT(charged.event, 2000) FROM created, charged),
            charge AS (
                INSERT INTO ledger (account_id, server_id, kind, period, amount, balance_after, created_at)
                SELECT :accountId, created.id, 'charge', 0, -charged.hourly_price, charged.balance, :now FROM created, charged)
            """ + SELECT.replace("FROM servers s", "FROM created s");
    private static final String CHARGE_H2 =
            "SELECT balance FROM FINAL TABLE (UPDATE accounts SET balance = balance - ? WHERE id = ? AND balance >= ?)";

    @Override
    public Optional<Server> createIfAllowed(Repositories.NewServer s) {
        try {
            if (!Sql.isH2(h)) {
                return h.createQuery(CREATE_PG).bindMethods(s).bind("operation", Operation.PROVISION.wire()).map(ROW).findOne();
            }
            // H2 runs in-process (no round trip holds the account's row) and has no UPDATE in a WITH clause:
            // the same steps in a transaction of their own, the charge last.
            return h.inTransaction(tx -> {
                Optional<CreateBatchSql.Offer> offer = CreateBatchSql.offerH2(h, s);
                if (offer.isEmpty()) {
                    return Optional.empty();
                }
                BigDecimal price = offer.get().price();
                long id = insertRow(s, offer.get().locationId(), price);
                new TaskSql(h).insert(id, Operation.PROVISION, s.now(), s.now());
                new EventSql(h).append(id, "created", offer.get().event(), s.now());
                Optional<BigDecimal> after = Jdbc.first(h, CHARGE_H2, ps -> {
                    ps.setBigDecimal(1, price);
                    ps.setLong(2, s.accountId());
                    ps.setBigDecimal(3, price);
                }, r -> r.getBigDecimal(1));
                if (after.isEmpty()) {
                    h.rollback();
                    return Optional.empty();
                }
                new LedgerSql(h).charge(s.accountId(), id, 0, price, after.get(), s.now());
                return find(id);
            });
        } catch (RuntimeException e) {
            throw duplicateName(e);
        }
    }

    @Override
    public List<Optional<Server>> createAllIfAllowed(List<Repositories.NewServer> orders) {
        try {
            return new CreateBatchSql(h, this).createAll(orders);
        } catch (RuntimeException e) {
            throw duplicateName(e);
        }
    }

    /** A concurrent create or rename took the name between the check and the write. */
    private static RuntimeException duplicateName(RuntimeException e) {
        return Sql.isUniqueViolation(e, "servers_live_name_unique") ? FieldErrors.of("name", Names.NAME_TAKEN) : e;
    }

    long insertRow(Repositories.NewServer s, long locationId, BigDecimal hourlyPrice) {
        String sql = """
                INSERT INTO servers (account_id, name, live_name, hostname, status, location_id, plan_id, os_id, ssh_key_id,
                                     backups_enabled, hourly_price, billed_periods, next_charge_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'provisioning', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
                """;
        try (PreparedStatement ps = h.getConnection().prepareStatement(sql, new String[] {"id"})) {
            ps.setLong(1, s.accountId());
            ps.setString(2, s.name());
            ps.setString(3, s.name());
            ps.setString(4, s.hostname());
            ps.setLong(5, locationId);
            ps.setLong(6, s.planId());
            ps.setLong(7, s.osId());
            Jdbc.setLong(ps, 8, s.sshKeyId());
            ps.setBoolean(9, s.backupsEnabled());
            ps.setBigDecimal(10, hourlyPrice);
            Jdbc.setInstant(ps, 11, s.nextChargeAt());
            Jdbc.setInstant(ps, 12, s.now());
            Jdbc.setInstant(ps, 13, s.now());
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw new UnableToExecuteStatementException(e, null);
        }
    }

    /** A server's row locked, its status read. */
    static final String LOCK = "SELECT status FROM servers WHERE id = ? FOR UPDATE";

    @Override
    public Optional<Status> lock(long id) {
        return Jdbc.first(h, LOCK, ps -> ps.setLong(1, id),
                r -> Status.fromDb(r.getString(1)));
    }

    @Override
    public boolean nameTaken(long accountId, String name, long exceptId) {
        // Equality on both columns of the live-name constraint, ordered by them: its unique index is then
        // the only one that needs no sort. Without the ORDER BY, PostgreSQL's generic plan for a table with
        // few rows analyzed took (account_id, status, id) as just as good and filtered every server of
        // the account by name (1.6 ms at 2,300 servers).
        return h.createQuery("SELECT id FROM servers WHERE account_id = :a AND live_name = :n ORDER BY account_id, live_name")
                .bind("a", accountId).bind("n", name).mapTo(Long.class).findOne().filter(id -> id != exceptId).isPresent();
    }

    @Override
    public Optional<Server> find(long id) {
        return withCatalog((select, reader) -> Jdbc.first(h, select + " WHERE s.id = ? AND s.status <> 'deleted'", ps -> ps.setLong(1, id), reader));
    }

    @Override
    public Optional<Server> findForAccount(long accountId, long id) {
        return withCatalog((select, reader) -> Jdbc.first(h, select + " WHERE s.id = ? AND s.account_id = ? AND s.status <> 'deleted'", ps -> {
            ps.setLong(1, id);
            ps.setLong(2, accountId);
        }, reader));
    }

    @Override
    public List<Server> findAll(List<Long> ids) {
        return findAll(ids, false);
    }

    @Override
    public List<Server> findAllPlannedEachTime(List<Long> ids) {
        return findAll(ids, true);
    }

    private List<Server> findAll(List<Long> ids, boolean planEachTime) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Jdbc.Binder binder = ps -> ps.setArray(1, ps.getConnection().createArrayOf("BIGINT", ids.toArray()));
        return withCatalog((select, reader) -> {
            String sql = select + " WHERE s.id = ANY(?) AND s.status <> 'deleted'";
            return planEachTime ? Jdbc.listPlannedEachTime(h, sql, binder, reader) : Jdbc.list(h, sql, binder, reader);
        });
    }

    @Override
    public boolean ownedBy(long accountId, long id) {
        return h.createQuery("SELECT COUNT(*) FROM servers WHERE id = :id AND account_id = :account AND status <> 'deleted'")
                .bind("id", id).bind("account", accountId).mapTo(Long.class).one() > 0;
    }

    private static String where(Repositories.ServerFilter f, boolean statusInline) {
        StringBuilder w = new StringBuilder(" WHERE s.status <> 'deleted'");
        if (f.accountId() != null) {
            w.append(" AND s.account_id = ?");
        }
        if (f.status() != null) {
            // A Status's wire name: a fixed lower-case word, never text from a request.
            w.append(statusInline ? " AND s.status = '" + f.status().wire() + "'" : " AND s.status = ?");
        }
        if (f.locationId() != null) {
            w.append(" AND s.location_id = ?");
        }
        return w.toString();
    }

    /** Binds {@link #where}'s parameters in its order; returns the next free position. */
    private static int bind(PreparedStatement ps, Repositories.ServerFilter f, boolean statusInline) throws SQLException {
        return bind(ps, f, statusInline, 1);
    }

    /** Binds {@link #where}'s parameters in its order from position {@code i}; returns the next free position. */
    private static int bind(PreparedStatement ps, Repositories.ServerFilter f, boolean statusInline, int i) throws SQLException {
        if (f.accountId() != null) {
            ps.setLong(i++, f.accountId());
        }
        if (f.status() != null && !statusInline) {
            ps.setString(i++, f.status().wire());
        }
        if (f.locationId() != null) {
            ps.setLong(i++, f.locationId());
        }
        return i;
    }

    /**
     * On H2, the count (H2 counts its index in-process, which is cheap enough) and then the page if there
     * is one. On PostgreSQL, one statement: the sum of the counter rows its triggers keep
     * (migration-postgresql/V3; the same figure as COUNT(*) at a cost that does not grow with the account)
     * joined with the page, so that the total and the page come from one snapshot in one round trip; an
     * empty page is one row with the total alone.
     */
    @Override
    public Repositories.Page page(Repositories.ServerFilter filter, long offset, int limit) {
        if (Sql.isH2(h)) {
            long count = Jdbc.count(h, "SELECT COUNT(*) FROM servers s" + where(filter, false), ps -> bind(ps, filter, false));
            return new Repositories.Page(count, offset < count ? pageH2(filter, offset, limit) : List.of());
        }
        long[] total = {0};
        List<Server> servers = withCatalog((select, reader) -> pagePostgres(filter, offset, limit, select, ID, PAGE_TOTAL, reader,
                Server::id, total));
        return new Repositories.Page(total[0], servers);
    }

    @Override
    public Repositories.ListedPage listed(Repositories.ServerFilter filter, long offset, int limit) {
        if (Sql.isH2(h)) {
            Repositories.Page page = page(filter, offset, limit);
            return new Repositories.ListedPage(page.count(), page.servers().stream().map(ListedServer::of).toList());
        }
        long[] total = {0};
        List<ListedServer> servers = withSnapshot(snapshot -> pagePostgres(filter, offset, limit, LISTED_LEAN, L_ID, L_TOTAL,
                listed(snapshot), ListedServer::id, total));
        return new Repositories.ListedPage(total[0], servers);
    }

    /**
     * A page of {@code select}'s rows and the filter's total in one statement on PostgreSQL (one
     * snapshot, one round trip): the total from the counter rows, the page joined to it laterally, so
     * that an empty page still brings the total. {@code total[0]} gets it. The page is put in id order
     * here: sorting the joined rows again in the statement took a quarter of PostgreSQL's time for a
     * page of 50 (pgbench, one client: 0.213 against 0.138-0.164 ms).
     */
    private <T> List<T> pagePostgres(Repositories.ServerFilter filter, long offset, int limit, String select, int idColumn,
            int totalColumn, Jdbc.Reader<T> reader, java.util.function.ToLongFunction<T> id, long[] total) {
        // The provider's list by status: the status written into the statement (one of a few fixed words), so
        // that PostgreSQL's plan, made once for all values, knows whether the status is rare (read from the
        // status index) or common (the primary key), rather than walking the whole fleet for a rare one.
        boolean statusInline = filter.accountId() == null && filter.status() != null;
        String sql = "SELECT page.*, total.n FROM (SELECT COALESCE(SUM(s.n), 0) AS n FROM server_counts s" + where(filter, false)
                + ") total LEFT JOIN LATERAL (" + select + where(filter, statusInline) + " ORDER BY s.id LIMIT ? OFFSET ?) page"
                + " ON TRUE";
        List<T> rows = Jdbc.list(h, sql, ps -> {
            int i = bind(ps, filter, false);
            i = bind(ps, filter, statusInline, i);
            ps.setInt(i, limit);
            ps.setLong(i + 1, offset);
        }, r -> {
            total[0] = r.getLong(totalColumn);
            return r.getObject(idColumn) == null ? null : reader.read(r);
        });
        rows.removeIf(java.util.Objects::isNull);
        rows.sort(java.util.Comparator.comparingLong(id));
        return rows;
    }

    private List<Server> pageH2(Repositories.ServerFilter filter, long offset, int limit) {
        // As one statement with its joins, H2 took the account's foreign-key index, joined and sorted all of
        // an account's servers and then kept 50 (10,000 rows read per page; the whole fleet for the
        // provider's list). The ids of the page first, from an index in ORDER BY's order (H2 stops after
        // LIMIT + OFFSET entries only when ORDER BY names the index's columns), then their rows.
        String index = filter.accountId() != null
                ? (filter.status() == null ? " USE INDEX (servers_account_id)" : " USE INDEX (servers_account_status)")
                : (filter.status() == null ? "" : " USE INDEX (servers_status_id)");
        String order = filter.accountId() != null
                ? (filter.status() == null ? "s.account_id, s.id" : "s.account_id, s.status, s.id")
                : (filter.status() == null ? "s.id" : "s.status, s.id");
        String sql = SELECT + " WHERE s.id IN (SELECT s.id FROM servers s" + index + where(filter, false) + " ORDER BY " + order
                + " LIMIT ? OFFSET ?) ORDER BY s.id";
        return Jdbc.list(h, sql, ps -> {
            int i = bind(ps, filter, false);
            ps.setInt(i, limit);
            ps.setLong(i + 1, offset);
        }, READ);
    }

    @Override
    public boolean compareAndSetStatus(long id, Status from, Status to, String detail, Instant now) {
        return h.createUpdate("UPDATE servers SET status = :to, status_detail = :detail, updated_at = :now WHERE id = :id AND status = :from")
                .bind("id", id).bind("from", from.wire()).bind("to", to.wire()).bind("detail", detail).bind("now", now)
                .execute() == 1;
    }

    @Override
    public void setStatus(long id, Status to, String detail, Instant now) {
        Jdbc.update(h, "UPDATE servers SET status = ?, status_detail = ?, updated_at = ? WHERE id = ?", ps -> {
            ps.setString(1, to.wire());
            ps.setString(2, detail);
            Jdbc.setInstant(ps, 3, now);
            ps.setLong(4, id);
        });
    }

    @Override
    public void updateAttributes(long id, String name, String hostname, boolean backupsEnabled, Instant now) {
        try {
            h.createUpdate("UPDATE servers SET name = :name, live_name = :name, hostname = :hostname, backups_enabled = :b, "
                            + "updated_at = :now WHERE id = :id")
                    .bind("id", id).bind("name", name).bind("hostname", hostname).bind("b", backupsEnabled).bind("now", now).execute();
        } catch (RuntimeException e) {
            throw duplicateName(e);
        }
    }

    @Override
    public void setBackups(long id, boolean backupsEnabled, Instant now) {
        h.createUpdate("UPDATE servers SET backups_enabled = :b, updated_at = :now WHERE id = :id")
                .bind("id", id).bind("b", backupsEnabled).bind("now", now).execute();
    }

    @Override
    public boolean markDeleting(long id, Instant now) {
        return h.createUpdate("UPDATE servers SET status = 'deleting', live_name = NULL, status_detail = NULL, updated_at = :now "
                        + "WHERE id = :id AND status NOT IN ('deleting', 'deleted')")
                .bind("id", id).bind("now", now).execute() == 1;
    }

    @Override
    public void tombstone(long id, Instant now) {
        h.createUpdate("UPDATE servers SET status = 'deleted', live_name = NULL, deleted_at = :now, updated_at = :now, "
                        + "ipv4 = NULL, ipv6 = NULL, host_id = NULL WHERE id = :id")
                .bind("id", id).bind("now", now).execute();
    }

    @Override
    public void place(long id, String ipv4, String ipv6, Long hostId) {
        Jdbc.update(h, "UPDATE servers SET ipv4 = ?, ipv6 = ?, host_id = ? WHERE id = ?", ps -> {
            ps.setString(1, ipv4);
            ps.setString(2, ipv6);
            Jdbc.setLong(ps, 3, hostId);
            ps.setLong(4, id);
        });
    }

    @Override
    public List<Repositories.Billable> dueForCharge(Instant now, int limit) {
        return h.createQuery("""
                        SELECT id, account_id, hourly_price, billed_periods, created_at, deleted_at FROM servers
                         WHERE next_charge_at <= :now ORDER BY next_charge_at LIMIT :limit
                        """)
                .bind("now", now).bind("limit", limit)
                .map((r, ctx) -> new Repositories.Billable(r.getLong("id"), r.getLong("account_id"), r.getBigDecimal("hourly_price"),
                        r.getInt("billed_periods"), Rows.instant(r, "created_at"), Rows.instant(r, "deleted_at")))
                .list();
    }

    @Override
    public boolean advanceBilling(long id, int expected, int newBilled, Instant nextChargeAt) {
        return h.createUpdate("UPDATE servers SET billed_periods = :n, next_charge_at = :next WHERE id = :id AND billed_periods = :expected")
                .bind("id", id).bind("n", newBilled).bind("next", nextChargeAt).bind("expected", expected).execute() == 1;
    }

    @Override
    public java.util.Set<Long> existing(java.util.Collection<Long> ids) {
        if (ids.isEmpty()) {
            return java.util.Set.of();
        }
        // In chunks: a statement takes at most 32,767 parameters on PostgreSQL and 100,000 on H2, and a
        // reconciliation pass asks about every machine of the fleet.
        List<Long> all = List.copyOf(ids);
        java.util.Set<Long> found = new java.util.HashSet<>();
        for (int from = 0; from < all.size(); from += EXISTING_CHUNK) {
            found.addAll(h.createQuery("SELECT id FROM servers WHERE id IN (<ids>) AND status <> 'deleted'")
                    .bindList("ids", all.subList(from, Math.min(all.size(), from + EXISTING_CHUNK))).mapTo(Long.class).list());
        }
        return found;
    }

    @Override
    public List<Repositories.IdStatus> ofAccount(long accountId) {
        return h.createQuery("SELECT id, status FROM servers WHERE account_id = :a AND status <> 'deleted' ORDER BY id")
                .bind("a", accountId)
                .map((r, ctx) -> new Repositories.IdStatus(r.getLong("id"), Status.fromDb(r.getString("status"))))
                .list();
    }

    @Override
    public List<Server> restingIn(List<Status> statuses, long afterId, int limit) {
        return h.createQuery(SELECT + " WHERE s.status IN (<statuses>) AND s.id > :after "
                        + "AND NOT EXISTS (SELECT 1 FROM server_tasks t WHERE t.server_id = s.id) ORDER BY s.id LIMIT :limit")
                .bindList("statuses", statuses.stream().map(Status::wire).toList())
                .bind("after", afterId).bind("limit", limit).map(ROW).list();
    }
}
