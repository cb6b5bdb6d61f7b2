package org.vpsd.server.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.vpsd.server.domain.Account;
import org.vpsd.server.domain.LedgerEntry;
import org.vpsd.server.domain.Repositories;
import org.vpsd.server.domain.Server;
import org.vpsd.server.domain.ServerEvent;
import org.vpsd.server.domain.ServerService;

/** The JSON shapes of the provider's API under {@code /admin/v1/}. */
final class AdminViews {
    private AdminViews() {}

    record AccountView(long id, String name, BigDecimal balance, boolean suspended, Instant createdAt) {}

    record CreatedAccount(long id, String name, BigDecimal balance, boolean suspended, Instant createdAt, String token) {}

    record TokenView(long id, Long accountId, String name, String hint, Instant createdAt, Instant revokedAt) {}

    record CreatedToken(long id, Long accountId, String name, String hint, Instant createdAt, String token) {}

    record LedgerView(long id, Long serverId, String kind, Integer period, BigDecimal amount, BigDecimal balanceAfter,
            Instant createdAt, String note) {}

    record TaskView(String operation, int step, int attempts, Instant runAt, Instant deadline, String lastError) {}

    record EventView(Instant at, String kind, String message) {}

    record ServerView(long id, long accountId, String name, String hostname, String status, String statusDetail,
            String ipAddress, String ipv6Address, String location, long planId, long osId, Long hostId, Instant createdAt,
            Instant updatedAt, Instant provisionedAt) {}

    record ServerDetailView(long id, long accountId, String name, String hostname, String status, String statusDetail,
            String ipAddress, String ipv6Address, String location, long planId, long osId, Long hostId, String machine,
            BigDecimal hourlyPrice, Instant createdAt, Instant updatedAt, Instant provisionedAt, TaskView pending,
            List<EventView> events) {}

    static AccountView account(Account a) {
        return new AccountView(a.id(), a.name(), a.balance(), a.suspended(), a.createdAt());
    }

    static CreatedAccount created(Account a, String token) {
        return new CreatedAccount(a.id(), a.name(), a.balance(), a.suspended(), a.createdAt(), token);
    }

    static TokenView token(Repositories.TokenInfo t) {
        return new TokenView(t.id(), t.accountId(), t.name(), t.hint(), t.createdAt(), t.revokedAt());
    }

    static CreatedToken created(Repositories.TokenInfo t, String secret) {
        return new CreatedToken(t.id(), t.accountId(), t.name(), t.hint(), t.createdAt(), secret);
    }

    static LedgerView ledger(LedgerEntry e) {
        return new LedgerView(e.id(), e.serverId(), e.kind(), e.period(), e.amount(), e.balanceAfter(), e.createdAt(), e.note());
    }

    static ServerView server(Server s) {
        return new ServerView(s.id(), s.accountId(), s.name(), s.hostname(), s.status().wire(), s.statusDetail(), s.ipv4(), s.ipv6(),
                s.locationCode(), s.plan().id(), s.os().id(), s.hostId(), s.createdAt(), s.updatedAt(), s.provisionedAt());
    }

    static ServerDetailView server(ServerService.ProviderView v, String machine) {
        Server s = v.server();
        TaskView task = v.task().map(t -> new TaskView(t.operation().wire(), t.step(), t.attempts(), t.runAt(), t.deadline(),
                t.lastError())).orElse(null);
        List<EventView> events = v.events().stream().map((ServerEvent e) -> new EventView(e.at(), e.kind(), e.message())).toList();
        return new ServerDetailView(s.id(), s.accountId(), s.name(), s.hostname(), s.status().wire(), s.statusDetail(), s.ipv4(),
                s.ipv6(), s.locationCode(), s.plan().id(), s.os().id(), s.hostId(), machine, s.hourlyPrice(), s.createdAt(),
                s.updatedAt(), s.provisionedAt(), task, events);
    }
}
