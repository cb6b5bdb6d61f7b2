package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vpsd accounts show ACCOUNT}. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show an account.")
final class AccountsShow implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(paramLabel = "ACCOUNT", description = "Name or id.")
    String account;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            System.out.println(Accounts.line(Accounts.find(b, account)));
        }
        return 0;
    }
}
