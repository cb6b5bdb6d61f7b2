package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import org.vpsd.server.domain.LedgerEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vpsd accounts ledger ACCOUNT}: credits and hourly charges, oldest first. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "Show an account's credits and charges.")
final class AccountsLedger implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(paramLabel = "ACCOUNT", description = "Name or id.")
    String account;

    @Option(names = "--limit", defaultValue = "1000", description = "At most this many entries (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            long id = Accounts.find(b, account).id();
            long after = 0;
            int shown = 0;
            while (shown < limit) {
                var page = b.accounts.ledger(id, after, Math.min(500, limit - shown));
                if (page.isEmpty()) {
                    break;
                }
                for (LedgerEntry e : page) {
                    System.out.printf("%s  %-6s %-8s %-6s %12s  balance %s  %s%n", e.createdAt(), e.kind(),
                            e.serverId() == null ? "" : "server " + e.serverId(), e.period() == null ? "" : "h" + e.period(),
                            e.amount().stripTrailingZeros().toPlainString(), e.balanceAfter().stripTrailingZeros().toPlainString(),
                            e.note() == null ? "" : e.note());
                }
                shown += page.size();
                after = page.get(page.size() - 1).id();
            }
        }
        return 0;
    }
}
