package org.vpsd.server.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The simulated hypervisor's machines and faults, kept in the database so that they outlive a
 * vpsd process and are shared by all replicas, as a real hypervisor's machines are.
 */
public final class SimStore {
    /** A simulated machine. {@code phase} holds until {@code phaseUntil}, then settles. */
    public record SimVm(
            String name,
            String host,
            int vcpus,
            int memoryMb,
            int storageGb,
            String phase,
            Instant phaseUntil,
            int bootCount,
            Instant runningSince,
            long runMillis,
            Instant createdAt) {

        public SimVm withPhase(String newPhase, Instant until) {
            return new SimVm(name, host, vcpus, memoryMb, storageGb, newPhase, until, bootCount, runningSince, runMillis, createdAt);
        }
    }

    /** A fault to inject into the next calls of one operation. */
    public record Fault(String operation, int failNext, double failureRate, String message) {}

    private static final RowMapper<SimVm> ROW = (r, ctx) -> new SimVm(r.getString("name"), r.getString("host"), r.getInt("vcpus"),
            r.getInt("memory_mb"), r.getInt("storage_gb"), r.getString("phase"), Rows.instant(r, "phase_until"),
            r.getInt("boot_count"), Rows.instant(r, "running_since"), r.getLong("run_millis"), Rows.instant(r, "created_at"));
    private static final RowMapper<Fault> FAULT = (r, ctx) -> new Fault(r.getString("operation"), r.getInt("fail_next"),
            r.getDouble("failure_rate"), r.getString("message"));

    private final Jdbi jdbi;
    private final DatabaseHealth health;
    private final Database database;

    public SimStore(Database db) {
        this.database = db;
        this.jdbi = db.backgroundJdbi();
        this.health = db.health();
    }

    /** Runs {@code work} in one transaction. */
    public <T> T inTransaction(Function<Tx, T> work) {
        health.check();
        for (int attempt = 1; ; attempt++) {
            try {
                Tx[] tx = {null};
                T result = jdbi.inTransaction(h -> work.apply(tx[0] = new Tx(h)));
                // Only a transaction that wrote has anything to make durable (H2's group commit).
                if (tx[0].wrote) {
                    database.awaitDurable();
                }
                return result;
            } catch (RuntimeException e) {
                if (attempt < 5 && Sql.isTransient(e)) {
                    continue;
                }
                throw translate(e);
            }
        }
    }

    /** Runs {@code work}, which only reads, on one connection without a transaction of its own. */
    public <T> T read(Function<Tx, T> work) {
        health.check();
        try {
            return jdbi.withHandle(h -> work.apply(new Tx(h)));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** A busy pool as "busy", a lost database as "down" (and marked so); anything else as it is. */
    private RuntimeException translate(RuntimeException e) {
        if (Sql.isPoolTimeout(e) && !Sql.isUnavailable(e)) {
            return StoreUnavailableException.busy(e);
        }
        if (e instanceof StoreUnavailableException || !Sql.isUnavailable(e)) {
            return e;
        }
        health.down(e);
        return StoreUnavailableException.down(e);
    }

    /**
     * Inserts the machine in one statement, in a transaction of its own, unless one of that name exists
     * or a fault is set for {@code operation}; true if inserted. The usual create: when it returns false
     * the caller takes the general way (a transaction that locks, looks at the fault and decides).
     */
    public boolean insertUnlessFaulted(SimVm vm, String operation) {
        health.check();
        try {
            boolean inserted = jdbi.withHandle(h -> Jdbc.update(h, "INSERT INTO sim_domains (phase, phase_until, boot_count, "
                    + "running_since, run_millis, name, host, vcpus, memory_mb, storage_gb, created_at) "
                    + "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM sim_faults WHERE operation = ?) "
                    + "ON CONFLICT DO NOTHING", ps -> {
                        Tx.bindNew(ps, vm);
                        ps.setString(12, operation);
                    }) == 1);
            if (inserted) {
                database.awaitDurable();
            }
            return inserted;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** A machine (if there is one of that name) and whether a fault is set for an operation, read together. */
    public record Peek(Optional<SimVm> vm, boolean faultSet) {}

    /** Statements of one unit of work: a transaction ({@link #inTransaction}) or a lone read ({@link #read}). */
    public static final class Tx {
        private final Handle h;
        private boolean wrote;

        Tx(Handle h) {
            this.h = h;
        }

        public Optional<SimVm> get(String name) {
            return Jdbc.first(h, "SELECT * FROM sim_domains WHERE name = ?", ps -> ps.setString(1, name), r -> ROW.map(r, null));
        }

        /** The machine of that name, if any, and whether a fault is set for {@code operation}: one statement. */
        public Peek peek(String name, String operation) {
            return peek(name, operation, operation);
        }

        /** {@link #peek} for a call that stands for two operations: a fault set for either counts. */
        public Peek peek(String name, String operation, String alsoOperation) {
            return Jdbc.first(h, "SELECT (SELECT MIN(f.operation) FROM sim_faults f WHERE f.operation IN (?, ?)) AS fault_operation, "
                    + "d.* FROM (SELECT 1 AS one) x LEFT JOIN sim_domains d ON d.name = ?", ps -> {
                        ps.setString(1, operation);
                        ps.setString(2, alsoOperation);
                        ps.setString(3, name);
                    }, r -> new Peek(r.getString("name") == null ? Optional.empty() : Optional.of(ROW.map(r, null)),
                            r.getString("fault_operation") != null)).orElseThrow();
        }

        /** The machine, locked until the transaction ends. */
        public Optional<SimVm> lock(String name) {
            return Jdbc.first(h, "SELECT * FROM sim_domains WHERE name = ? FOR UPDATE", ps -> ps.setString(1, name), r -> ROW.map(r, null));
        }

        /** Inserts the machine unless one of that name exists; true if inserted. */
        public boolean insert(SimVm vm) {
            wrote = true;
            return Jdbc.update(h, "INSERT INTO sim_domains (phase, phase_until, boot_count, running_since, run_millis, name, host, vcpus, "
                    + "memory_mb, storage_gb, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    ps -> bindNew(ps, vm)) == 1;
        }

        /** Parameters 1 to 11 of an insert: {@link #bindState}'s, then the machine's host, size and creation. */
        private static void bindNew(PreparedStatement ps, SimVm vm) throws SQLException {
            bindState(ps, vm);
            ps.setString(7, vm.host());
            ps.setInt(8, vm.vcpus());
            ps.setInt(9, vm.memoryMb());
            ps.setInt(10, vm.storageGb());
            Jdbc.setInstant(ps, 11, vm.createdAt());
        }

        public void update(SimVm vm) {
            wrote = true;
            Jdbc.update(h, "UPDATE sim_domains SET phase = ?, phase_until = ?, boot_count = ?, running_since = ?, run_millis = ? "
                    + "WHERE name = ?", ps -> bindState(ps, vm));
        }

        /** Parameters 1 to 6: the machine's phase and counters, then its name. */
        private static void bindState(PreparedStatement ps, SimVm vm) throws SQLException {
            ps.setString(1, vm.phase());
            Jdbc.setInstant(ps, 2, vm.phaseUntil());
            ps.setInt(3, vm.bootCount());
            Jdbc.setInstant(ps, 4, vm.runningSince());
            ps.setLong(5, vm.runMillis());
            ps.setString(6, vm.name());
        }

        public void delete(String name) {
            wrote = true;
            h.createUpdate("DELETE FROM sim_domains WHERE name = :n").bind("n", name).execute();
        }

        public List<SimVm> onHost(String host) {
            return h.createQuery("SELECT * FROM sim_domains WHERE host = :h").bind("h", host).map(ROW).list();
        }

        public Optional<Fault> fault(String operation) {
            return Jdbc.first(h, "SELECT * FROM sim_faults WHERE operation = ?", ps -> ps.setString(1, operation), r -> FAULT.map(r, null));
        }

        public List<Fault> faults() {
            return h.createQuery("SELECT * FROM sim_faults ORDER BY operation").map(FAULT).list();
        }

        /** Uses up one of the operation's injected failures; true if there was one left. */
        public boolean takeFailure(String operation) {
            wrote = true;
            return h.createUpdate("UPDATE sim_faults SET fail_next = fail_next - 1 WHERE operation = :op AND fail_next > 0")
                    .bind("op", operation).execute() == 1;
        }

        public void putFault(Fault f) {
            wrote = true;
            int n = h.createUpdate("UPDATE sim_faults SET fail_next = :failNext, failure_rate = :failureRate, message = :message "
                    + "WHERE operation = :operation").bindMethods(f).execute();
            if (n == 0) {
                h.createUpdate("INSERT INTO sim_faults (operation, fail_next, failure_rate, message) "
                        + "VALUES (:operation, :failNext, :failureRate, :message) ON CONFLICT DO NOTHING").bindMethods(f).execute();
            }
        }

        public void clearFaults() {
            wrote = true;
            h.createUpdate("DELETE FROM sim_faults").execute();
        }

        public Optional<String> setting(String name) {
            return new SettingsSql(h).get(name);
        }

        public void putSetting(String name, String value) {
            wrote = true;
            new SettingsSql(h).put(name, value);
        }
    }
}
