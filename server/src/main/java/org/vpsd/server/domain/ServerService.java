package org.vpsd.server.domain;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * A customer's servers: list, read, create, change, delete, start, stop, reboot. Every change is
 * recorded with the work it implies in one transaction, and answered at once; the engine does the
 * work. Another account's server is not found, exactly as if it did not exist.
 */
public final class ServerService {
    public static final String PROVISIONING_MESSAGE = "Server is being provisioned. This may take 2-5 minutes.";

    private final Transactor tx;
    private final Clock clock;
    private final Duration billingPeriod;
    private final WorkSignal signal;
    private final CreateBatches creates;
    private final ReadBatches reads;
    private final SharedReads<ListRequest, Repositories.ListedPage> lists;

    /**
     * {@code batchSizes} hears how many creates each create transaction held ({@link CreateBatches}).
     * With {@code readsInFlight} above 0, reads of single servers are batched ({@link ReadBatches}), at
     * most that many statements at once, and {@code readBatchSizes} hears how many reads each answered.
     */
    public ServerService(Transactor tx, Clock clock, Duration billingPeriod, WorkSignal signal, IntConsumer batchSizes,
            int readsInFlight, IntConsumer readBatchSizes) {
        this.tx = tx;
        this.clock = clock;
        this.billingPeriod = billingPeriod;
        this.signal = signal;
        this.creates = new CreateBatches(tx, batchSizes);
        this.reads = readsInFlight > 0 ? new ReadBatches(tx, readsInFlight, readBatchSizes) : null;
        this.lists = new SharedReads<>(q -> tx.read(r -> r.servers().listed(filter(r, q.accountId(), q.status(), q.locationCode()),
                q.offset(), q.limit())));
    }

    /** One page of a list, with the total that matches. */
    public record Listing(long count, List<Server> servers) {}

    /** A customer's list: whose servers, which filter, which window. */
    private record ListRequest(long accountId, Status status, String locationCode, long offset, int limit) {}

    /**
     * A page of the account's servers as its list shows them, and how many match in all. The same page
     * asked for while it is being read is read once more for all who asked meanwhile ({@link SharedReads}).
     */
    public Repositories.ListedPage list(long accountId, Status status, String locationCode, long offset, int limit) {
        return lists.get(new ListRequest(accountId, status, locationCode, offset, limit));
    }

    public Server get(long accountId, long id) {
        Optional<Server> s = reads != null ? reads.find(accountId, id) : tx.read(r -> r.servers().findForAccount(accountId, id));
        return s.orElseThrow(DomainException.NotFound::new);
    }

    /**
     * A create is one atomic step when the request is well formed: it creates the server only if the
     * catalog, the SSH key and the balance allow it (on PostgreSQL one statement, so that the account's
     * balance row is locked only inside the database). Only when it was not allowed are the reasons
     * looked up, on committed data, for the answer. Creates of one account that arrive while another
     * of its creates runs go into the database together ({@link CreateBatches}).
     */
    public Server create(long accountId, ServerRequests.Create req, FieldErrors errors) {
        Instant now = clock.instant();
        if (!wellFormed(req, errors)) {
            tx.read(r -> checked(r, accountId, req, errors));
            throw new IllegalStateException("a malformed create passed its checks");
        }
        String hostname = req.hostname() != null ? req.hostname() : req.name();
        var order = new Repositories.NewServer(accountId, req.name(), hostname, req.planId(), req.osId(), req.location(),
                req.sshKeyId(), Boolean.TRUE.equals(req.backupsEnabled()), now, now.plus(billingPeriod));
        for (int attempt = 1; ; attempt++) {
            Optional<Server> created = creates.create(order);
            if (created.isPresent()) {
                signal.workAdded();
                return created.get();
            }
            var why = tx.read(r -> Map.entry(checked(r, accountId, req, errors),
                    r.accounts().find(accountId).map(Account::balance).orElse(BigDecimal.ZERO)));
            Plan plan = why.getKey();
            BigDecimal balance = why.getValue();
            // Everything checks out now: the catalog or the balance changed in between; once more.
            if (balance.compareTo(plan.hourlyPrice()) < 0 || attempt == 3) {
                throw new DomainException.PaymentRequired("Insufficient credit: the balance of "
                        + balance.stripTrailingZeros().toPlainString() + " does not cover the first hour of " + plan.name() + " ("
                        + plan.hourlyPrice().stripTrailingZeros().toPlainString() + ").");
            }
        }
    }

    /** Whether a create has every field it needs, each well formed (what needs no database). */
    private static boolean wellFormed(ServerRequests.Create req, FieldErrors errors) {
        return errors.isEmpty() && req.name() != null && Names.serverNameProblem(req.name()) == null && req.planId() != null
                && req.osId() != null && req.location() != null
                && (req.hostname() == null || Names.hostnameProblem(req.hostname()) == null);
    }

    /** Every problem of a create request, thrown as field errors; the plan when there is none. */
    private static Plan checked(Repositories r, long accountId, ServerRequests.Create req, FieldErrors errors) {
        Plan plan = null;
        required(errors, "name", req.name());
        if (req.name() != null) {
            check(errors, "name", Names.serverNameProblem(req.name()));
        }
        if (required(errors, "plan_id", req.planId())) {
            plan = r.catalog().plan(req.planId()).filter(Plan::available).orElse(null);
            if (plan == null) {
                errors.add("plan_id", "Invalid pk \"" + req.planId() + "\" - object does not exist.");
            }
        }
        if (required(errors, "os_id", req.osId()) && r.catalog().osImage(req.osId()).filter(OsImage::available).isEmpty()) {
            errors.add("os_id", "Invalid pk \"" + req.osId() + "\" - object does not exist.");
        }
        if (required(errors, "location", req.location())
                && r.catalog().locationRef(req.location()).filter(Repositories.Catalog.LocationRef::available).isEmpty()) {
            errors.add("location", "Object with code=" + req.location() + " does not exist.");
        }
        if (req.hostname() != null) {
            check(errors, "hostname", Names.hostnameProblem(req.hostname()));
        }
        if (req.sshKeyId() != null && r.sshKeys().find(accountId, req.sshKeyId()).isEmpty()) {
            errors.add("ssh_key_id", "Invalid pk \"" + req.sshKeyId() + "\" - object does not exist.");
        }
        // A name in use is refused by the create itself (the live-name constraint); it is looked up here
        // only to be listed beside the request's other problems.
        if (!errors.isEmpty() && !errors.has("name") && req.name() != null && r.servers().nameTaken(accountId, req.name(), -1)) {
            errors.add("name", Names.NAME_TAKEN);
        }
        errors.throwIfAny();
        return plan;
    }

    public Server update(long accountId, long id, ServerRequests.Update req, FieldErrors errors) {
        Instant now = clock.instant();
        return tx.inTransaction(r -> {
            Server s = lockForAccount(r, accountId, id);
            if (req.full()) {
                required(errors, "name", req.name());
                required(errors, "hostname", req.hostname());
                required(errors, "backups_enabled", req.backupsEnabled());
            }
            if (req.name() != null) {
                check(errors, "name", Names.serverNameProblem(req.name()));
                if (!errors.has("name") && r.servers().nameTaken(accountId, req.name(), id)) {
                    errors.add("name", Names.NAME_TAKEN);
                }
            }
            if (req.hostname() != null) {
                check(errors, "hostname", Names.hostnameProblem(req.hostname()));
            }
            errors.throwIfAny();
            if (s.status() == Status.DELETING) {
                throw new DomainException.InvalidState("Server is being deleted");
            }
            String name = req.name() != null ? req.name() : s.name();
            String hostname = req.hostname() != null ? req.hostname() : s.hostname();
            boolean backups = req.backupsEnabled() != null ? req.backupsEnabled() : s.backupsEnabled();
            if (name.equals(s.name()) && hostname.equals(s.hostname()) && backups == s.backupsEnabled()) {
                return s;
            }
            if (name.equals(s.name()) && hostname.equals(s.hostname())) {
                r.servers().setBackups(id, backups, now);
            } else {
                r.servers().updateAttributes(id, name, hostname, backups, now);
            }
            return r.servers().find(id).orElseThrow();
        });
    }

    /** Whether the account has this server (a cheap check, before a request's body is read). */
    public boolean exists(long accountId, long id) {
        return tx.read(r -> r.servers().ownedBy(accountId, id));
    }

    /** Starts, stops, reboots or deletes; returns the server in the status the action put it in. */
    public Server act(long accountId, long id, Action action) {
        Instant now = clock.instant();
        // The answer is the server as this transaction left it: the engine may finish a fast
        // operation before a later read, and the action body must show the transitional status.
        Server after = tx.inTransaction(r -> {
            Server s = lockForAccount(r, accountId, id);
            switch (Transitions.decide(s.status(), action)) {
                case Transitions.Refuse refuse -> throw new DomainException.InvalidState(refuse.detail());
                case Transitions.Already already -> {
                    return s;
                }
                case Transitions.Go go -> {
                    if (action == Action.DELETE) {
                        r.servers().markDeleting(id, now);
                        r.tasks().replace(id, Operation.DELETE, now, now);
                    } else {
                        r.servers().setStatus(id, go.next(), null, now);
                        if (!r.tasks().insert(id, go.operation(), now, now)) {
                            r.tasks().replace(id, go.operation(), now, now);
                        }
                    }
                    r.events().append(id, action.name().toLowerCase(java.util.Locale.ROOT), action.acceptedMessage() + ".", now);
                    return r.servers().find(id).orElseThrow();
                }
            }
        });
        signal.workAdded();
        return after;
    }

    /** A server as the provider sees it: with its pending work and its recent history. */
    public record ProviderView(Server server, Optional<Repositories.Task> task, List<ServerEvent> events) {}

    /** Every account's servers, for the provider; a null filter field does not filter. */
    public Listing listAll(Long accountId, Status status, String locationCode, long offset, int limit) {
        return tx.read(r -> {
            Repositories.Page page = r.servers().page(filter(r, accountId, status, locationCode), offset, limit);
            return new Listing(page.count(), page.servers());
        });
    }

    private static Repositories.ServerFilter filter(Repositories r, Long accountId, Status status, String locationCode) {
        Long locationId = locationCode == null ? null : r.catalog().locationRef(locationCode).map(Repositories.Catalog.LocationRef::id)
                .orElseThrow(() -> FieldErrors.of("location", "Select a valid choice. " + locationCode
                        + " is not one of the available choices."));
        return new Repositories.ServerFilter(accountId, status, locationId);
    }

    public ProviderView providerView(long id) {
        return tx.read(r -> {
            Server s = r.servers().find(id).orElseThrow(DomainException.NotFound::new);
            return new ProviderView(s, r.tasks().find(id), r.events().list(id, 50));
        });
    }

    private static Server lockForAccount(Repositories r, long accountId, long id) {
        Optional<Status> locked = r.servers().lock(id);
        if (locked.isEmpty()) {
            throw new DomainException.NotFound();
        }
        return r.servers().findForAccount(accountId, id).orElseThrow(DomainException.NotFound::new);
    }

    private static boolean required(FieldErrors errors, String field, Object value) {
        if (errors.has(field)) {
            return false;
        }
        if (value == null) {
            errors.add(field, "This field is required.");
            return false;
        }
        return true;
    }

    private static void check(FieldErrors errors, String field, String problem) {
        if (problem != null && !errors.has(field)) {
            errors.add(field, problem);
        }
    }
}
