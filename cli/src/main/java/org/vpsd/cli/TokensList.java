package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vpsd tokens list ACCOUNT}: ids, names and hints, never the secrets. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List an account's tokens (hints only).")
final class TokensList implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(paramLabel = "ACCOUNT", description = "Name or id.")
    String account;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            b.accounts.tokens(Accounts.find(b, account).id()).forEach(t -> System.out.printf("%-6d %-20s %-16s created %s%s%n",
                    t.id(), t.name(), t.hint(), t.createdAt(), t.revokedAt() == null ? "" : "  REVOKED " + t.revokedAt()));
        }
        return 0;
    }
}
