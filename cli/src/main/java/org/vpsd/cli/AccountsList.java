package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vpsd accounts list}. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List accounts with their balances.")
final class AccountsList implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            b.accounts.accounts().forEach(a -> System.out.println(Accounts.line(a)));
        }
        return 0;
    }
}
