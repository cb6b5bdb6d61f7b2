package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the domain needs from storage, one interface per kind of record, all reached through one
 * transaction. The {@code store} package implements them with SQL; nothing here knows SQL.
 */
public interface Repositories {
    Accounts accounts();

    Tokens tokens();

    Catalog catalog();

    Servers servers();

    Tasks tasks();

    Ledger ledger();

    Addresses addresses();

    SshKeys sshKeys();

    Events events();

    Usages usage();

    Leases leases();

    Settings settings();

    interface Accounts {
        long insert(String name, BigDecimal balance, Instant now);

        Optional<Account> find(long id);

        Optional<Account> findByName(String name);

        List<Account> list();

        /** Adds {@code delta} (negative to take) and returns the new balance. */
        BigDecimal add(long id, BigDecimal delta);

        void setSuspended(long id, boolean suspended);

        /** Locks the account's row until the transaction ends (serialises money movements). */
        Optional<Account> lock(long id);
    }

    interface Tokens {
        long insert(Long accountId, String name, String hash, String hint, Instant now);

        Optional<Principal> findActive(String hash);

        List<TokenInfo> list(Long accountId, boolean admin);

        boolean revoke(long id, Instant now);

        Optional<TokenInfo> find(long id);
    }

    /** A token as the provider sees it: never the secret, only a hint of its first characters. */
    record TokenInfo(long id, Long accountId, String name, String hint, Instant createdAt, Instant revokedAt) {}

    interface Catalog {
        List<Plan> plans();

        Optional<Plan> plan(long id);

        List<OsImage> osImages();

        Optional<OsImage> osImage(long id);

        List<Location> locations();

        /** The id of the location with this code, without its ranges and hosts. */
        Optional<LocationRef> locationRef(String code);

        record LocationRef(long id, boolean available) {}

        void upsertPlan(Plan plan);

        void upsertOs(OsImage os);

        /** Creates or updates a location by code (not its ranges and hosts) and returns its id. */
        long upsertLocation(String code, String name, boolean available);

        /** Adds the range if the location does not have it yet; returns its id and whether it was new. */
        RangeId ensureRange(long locationId, Location.AddressRange range);

        void upsertHost(long locationId, Location.Host host);

        Optional<Location.Host> host(long id);

        /** Reserves capacity on a host if it has room (with its overcommit ratios); false otherwise. */
        boolean reserveCapacity(long hostId, int vcpus, int memoryMb);

        /**
         * Reserves capacity on the enabled host of the location with the most free memory (after its ratio)
         * that has room for it ({@link #reserveCapacity}); that host's id, or empty when none has room.
         */
        Optional<Long> reserveOnHostWithMostFreeMemory(long locationId, int vcpus, int memoryMb);

        /** Whether the location lists any host (enabled or not): then its servers need one. */
        boolean hasHosts(long locationId);

        void releaseCapacity(long hostId, int vcpus, int memoryMb);

        boolean planInUse(long planId);

        boolean osInUse(long osId);
    }

    record RangeId(long id, boolean created) {}

    /** A server to create, as the customer asked for it: the catalog by reference. */
    record NewServer(
            long accountId,
            String name,
            String hostname,
            long planId,
            long osId,
            String locationCode,
            Long sshKeyId,
            boolean backupsEnabled,
            Instant now,
            Instant nextChargeAt) {}

    /** One page of servers and the total of the filter it came from. */
    record Page(long count, List<Server> servers) {}

    /** One page of servers as a list shows them, and the total of the filter it came from. */
    record ListedPage(long count, List<ListedServer> servers) {}

    /** A filter of server lists; null fields do not filter. */
    record ServerFilter(Long accountId, Status status, Long locationId) {}

    /** What billing needs of a server. */
    record Billable(long id, long accountId, BigDecimal hourlyPrice, int billedPeriods, Instant createdAt, Instant deletedAt) {}

    interface Servers {
        /**
         * Creates the server, with its provisioning task and its "created" event, and charges the account
         * the plan's first period (ledger row included), if the plan, the image and the location are
         * available, the SSH key (if any) is the account's, and the balance covers the plan's price.
         * Otherwise changes nothing and returns empty: the caller finds out why. Atomic by itself (one
         * statement on PostgreSQL): run it through {@link Transactor#atomically}, so that the account's
         * row is locked only inside the database. A name another live server of the account holds is a
         * field error on {@code name}. Returns the server as created.
         */
        Optional<Server> createIfAllowed(NewServer server);

        /**
         * Creates of one account, in a transaction of the caller's ({@link Transactor#inTransaction}), with
         * what {@link #createIfAllowed} one after the other, in the list's order, would have created: the
         * account's row is locked once, each order checked, and each charged while the balance covers it.
         * An order refused for any reason, including a name a live server of the account holds or an
         * earlier order of the list took, has an empty outcome and changed nothing. If the live-name constraint
         * still refuses a row (a create or rename that committed meanwhile), throws the field error on
         * {@code name} and the transaction must be rolled back: nothing of the list is created.
         */
        List<Optional<Server>> createAllIfAllowed(List<NewServer> orders);

        /** Locks the server's row until the transaction ends and returns its status, if it exists. */
        Optional<Status> lock(long id);

        /** Whether one of the account's servers, other than {@code exceptId}, holds this name. */
        boolean nameTaken(long accountId, String name, long exceptId);

        /** The server if it exists and is not deleted, whoever owns it. */
        Optional<Server> find(long id);

        Optional<Server> findForAccount(long accountId, long id);

        /** The servers among {@code ids} that exist and are not deleted, whoever owns them, in any order. */
        List<Server> findAll(List<Long> ids);

        /**
         * {@link #findAll}, planned at each call where the database keeps plans: for the engine's reads of
         * claimed servers, which start on a table that may grow from empty (a plan made then would go on
         * reading the whole table).
         */
        List<Server> findAllPlannedEachTime(List<Long> ids);

        /** Whether the account has a server (not deleted) with this id. */
        boolean ownedBy(long accountId, long id);

        /** The servers of {@code limit} places from {@code offset} by id, and how many match in all. */
        Page page(ServerFilter filter, long offset, int limit);

        /** As {@link #page}, with only what a list shows of each server. */
        ListedPage listed(ServerFilter filter, long offset, int limit);

        /** Moves from {@code from} to {@code to} if the server is still in {@code from}. */
        boolean compareAndSetStatus(long id, Status from, Status to, String detail, Instant now);

        void setStatus(long id, Status to, String detail, Instant now);

        void updateAttributes(long id, String name, String hostname, boolean backupsEnabled, Instant now);

        /** Changes only {@code backups_enabled}: no indexed column is touched. */
        void setBackups(long id, boolean backupsEnabled, Instant now);

        /** Frees the name and moves to {@code deleting}; false if it was already deleting or deleted. */
        boolean markDeleting(long id, Instant now);

        void tombstone(long id, Instant now);

        /** Where provisioning put the server: its addresses and its host (null: none, the driver's default). */
        void place(long id, String ipv4, String ipv6, Long hostId);

        List<Billable> dueForCharge(Instant now, int limit);

        /** Records that periods up to {@code newBilled} are charged, if {@code expected} still holds. */
        boolean advanceBilling(long id, int expected, int newBilled, Instant nextChargeAt);

        /** Which of these ids are servers that exist (not deleted). */
        java.util.Set<Long> existing(java.util.Collection<Long> ids);

        /** Ids of an account's servers that are not deleted, with their status. */
        List<IdStatus> ofAccount(long accountId);

        /** Servers in the given statuses that have no pending work (for reconciliation and usage). */
        List<Server> restingIn(List<Status> statuses, long afterId, int limit);
    }

    record IdStatus(long id, Status status) {}

    /** One pending operation of the engine. */
    record Task(
            long serverId,
            Operation operation,
            int step,
            int generation,
            int attempts,
            Instant runAt,
            Instant deadline,
            String state,
            String lastError) {}

    /** Where a task stands after a step. */
    record Progress(int step, Instant runAt, Instant deadline, String state, int attempts, String lastError) {}

    /**
     * A step's progress to save for the claim that ran it ({@link Tasks#advance}): only if the task is still
     * that claim's ({@code owner}) and still the same operation ({@code generation}).
     */
    record Advance(long serverId, int generation, String owner, Progress progress, boolean keepLease) {}

    /**
     * How a finished operation settles its server, for either answer to "is the account suspended?"
     * (which the store reads as it removes the task): the status and its detail when it is not
     * ({@code free}) and when it is ({@code held}). {@code firstUsage} may be null.
     */
    record Settlement(long serverId, int generation, String owner, long accountId, Status free, String freeDetail,
            Status held, String heldDetail, boolean provisioned, UsageRecord firstUsage, String note, Instant now) {
        public Status status(boolean suspended) {
            return suspended ? held : free;
        }

        public String detail(boolean suspended) {
            return suspended ? heldDetail : freeDetail;
        }
    }

    /** What {@link Tasks#finishSettling} found and did: the account's suspension, and whether the usage record was written. */
    record Settled(boolean suspended, boolean usageWritten) {}

    interface Tasks {
        /** Adds the operation for a server that has none; false if it has one already. */
        boolean insert(long serverId, Operation op, Instant runAt, Instant now);

        /**
         * Replaces whatever the server has pending with {@code op}, from its first step, keeping a
         * running step's lease so that nobody starts the new operation before the old step ends.
         */
        void replace(long serverId, Operation op, Instant runAt, Instant now);

        Optional<Task> find(long serverId);

        /** Claims up to {@code limit} due tasks nobody holds, for {@code owner}, until {@code leaseUntil}. */
        List<Task> claim(String owner, Instant now, Instant leaseUntil, int limit);

        /**
         * Saves the task's progress if it is still this generation and held by {@code owner}; lets go
         * of the lease unless {@code keepLease} (the next step follows at once).
         */
        boolean advance(long serverId, int generation, String owner, Progress progress, boolean keepLease);

        /** Makes the server's pending step due now (something happened to its machine). */
        void runNow(long serverId, Instant now);

        /** Removes the finished task if it is still this generation and held by owner. */
        boolean finish(long serverId, int generation, String owner);

        /**
         * {@link #finish} and, if it removed the task, whether the server's account is suspended, as
         * committed when this call began (after the locks taken before it); empty if the task was not
         * removed. One statement where the database allows.
         */
        Optional<Boolean> finishSeeingSuspension(long serverId, int generation, String owner, long accountId);

        /**
         * The server's row locked, then {@link #finishSeeingSuspension} (the suspension as committed once
         * the lock was had) and, if the task was removed, the server settled as the answer says: its status
         * and detail, {@code provisioned_at} (if not set yet, when {@code provisioned}), its first usage
         * record (when it ends up active and has none) and the event. One round trip where the database
         * allows; empty if the task was not removed, and then nothing was written.
         */
        Optional<Settled> finishSettling(Settlement s);

        /**
         * {@link #finishSettling} as one round trip that commits by itself (to run in autocommit:
         * {@link Transactor#atOnce}), where the database can and the settlement needs nothing more in
         * its transaction. Empty when it could not be done that way, and then nothing was changed: on H2;
         * when the task is no longer the claim's; when the server would be held ({@code heldNeedsTask}: a
         * suspension's task is to follow it); when it becomes active with a first usage record to store and
         * already has one (the caller stores the sample after it). The caller then settles the general way.
         */
        Optional<Settled> finishSettlingAtOnce(Settlement s, boolean heldNeedsTask);

        /** Lets go of a claim without changing the task (a superseded step). */
        void release(long serverId, String owner);

        /** Extends the leases of these servers' tasks still held under {@code ownerPrefix}: the replica's heartbeat. */
        int renew(String ownerPrefix, java.util.Collection<Long> serverIds, Instant leaseUntil);

        /** Lets go of every lease whose owner starts with {@code ownerPrefix} (a replica shutting down). */
        int releaseAll(String ownerPrefix);

        Optional<Instant> nextRunAt();

        long countPending();
    }

    interface Ledger {
        /** Appends a charge of one period; false if that period of that server is already charged. */
        boolean charge(long accountId, long serverId, int period, BigDecimal amount, BigDecimal balanceAfter, Instant now);

        void credit(long accountId, BigDecimal amount, BigDecimal balanceAfter, Instant now, String note);

        List<LedgerEntry> list(long accountId, long afterId, int limit);

        BigDecimal sum(long accountId);
    }

    interface Addresses {
        /** Gives the server a free address of the family in the location; empty when none is free. */
        Optional<String> allocate(long serverId, long locationId, int family, Instant now);

        /** An address given to a server, with the range of the pool it came from. */
        record Allocated(String address, Location.AddressRange range) {}

        /**
         * Where {@link #allocateBothAndPlace} put a server: its addresses by family (a family with none
         * free left out) and its host (null: none); {@code noHostWithRoom} when its location lists hosts
         * and none had room for it.
         */
        record Placement(Map<Integer, Allocated> addresses, Long hostId, boolean noHostWithRoom) {}

        /**
         * Gives the server a free address of each family (4 and 6), as {@link #allocate} does for each,
         * and, unless it has one ({@code hostId}) or its location lists none, a host: capacity for
         * {@code vcpus} and {@code memoryMb} reserved as {@link Catalog#reserveOnHostWithMostFreeMemory}
         * does. When it has both addresses and the host it needs, it is placed: the two addresses and the
         * host written on its row, as {@link Servers#place} does. Otherwise the row is left as it was, and
         * what was taken is for the caller's transaction to roll back. On PostgreSQL the usual case is one
         * statement, which also reads the addresses' ranges.
         */
        Placement allocateBothAndPlace(long serverId, long locationId, Long hostId, int vcpus, int memoryMb, Instant now);

        /**
         * {@link #allocateBothAndPlace} and {@link Tasks#advance} as one statement that commits by itself (to
         * run in autocommit: {@link Transactor#atOnce}), where the database can: both addresses and the
         * host taken the usual way, the server placed and the step's progress saved, or nothing at all
         * done. Empty when it could not be done that way (H2; an address or a host that needs the general
         * way; a task no longer the claim's), and then nothing was changed: the caller does it the general
         * way, in a transaction, which also tells a task taken over from the rest.
         */
        Optional<Placement> placeAndAdvance(long serverId, long locationId, Long hostId, int vcpus, int memoryMb, Advance advance);

        Optional<String> heldBy(long serverId, int family);

        void releaseAll(long serverId, Instant now);

        /** Adds the addresses to the pool (ignoring ones already there); returns how many were new. */
        int addToPool(long locationId, long rangeId, int family, List<String> addresses);

        /** The ranges of those addresses that are in a pool, by address: one read for all. */
        Map<String, Location.AddressRange> rangesOf(List<String> addresses);
    }

    interface SshKeys {
        long insert(long accountId, String name, String publicKey, String fingerprint, Instant now);

        Optional<SshKeyRecord> find(long accountId, long id);

        Optional<SshKeyRecord> findByFingerprint(long accountId, String fingerprint);

        List<SshKeyRecord> list(long accountId, long offset, int limit);

        long count(long accountId);

        boolean delete(long accountId, long id);
    }

    interface Events {
        void append(long serverId, String kind, String message, Instant at);

        List<ServerEvent> list(long serverId, int limit);
    }

    /** The usage shown for a server, with the counters the next sample is compared with. */
    record UsageRecord(Usage usage, long netBytes, String month, long monthBytes) {}

    interface Usages {
        Optional<UsageRecord> find(long serverId);

        void save(long serverId, UsageRecord record);

        /** Stores the server's first record; false (and nothing changed) if it has one already. */
        boolean insertFirst(long serverId, UsageRecord record);

        void clear(long serverId);
    }

    interface Leases {
        /** Takes or renews the named lease for owner if it is free, expired or already owner's. */
        boolean acquire(String name, String owner, Instant now, Instant until);
    }

    interface Settings {
        Optional<String> get(String name);

        void put(String name, String value);

        /** Writes the setting unless it exists; true if it was written. */
        boolean putIfAbsent(String name, String value);

        void delete(String name);
    }
}
