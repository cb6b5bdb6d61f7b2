package org.vpsd.cli;

import java.math.BigDecimal;
import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vpsd accounts create NAME --credit AMOUNT}: the new account's token is the last line printed. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create an account; its API token is printed once, as the last line.")
final class AccountsCreate implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(paramLabel = "NAME", description = "The account's name (unique).")
    String name;

    @Option(names = "--credit", paramLabel = "AMOUNT", defaultValue = "0", description = "Prepaid credit to start with.")
    BigDecimal credit;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            var created = b.accounts.createAccount(name, credit);
            System.out.println("Created account " + created.account().id() + " \"" + created.account().name() + "\" with credit "
                    + created.account().balance().stripTrailingZeros().toPlainString() + ".");
            System.out.println("Its API token, shown only this once:");
            System.out.println(created.token());
        }
        return 0;
    }
}
