package org.vpsd.cli;

import java.math.BigDecimal;
import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vpsd accounts credit ACCOUNT AMOUNT}: adds credit, lifting a suspension. */
@Command(name = "credit", mixinStandardHelpOptions = true, description = "Add prepaid credit; lifts a suspension.")
final class AccountsCredit implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(index = "0", paramLabel = "ACCOUNT", description = "Name or id.")
    String account;

    @Parameters(index = "1", paramLabel = "AMOUNT", description = "Amount to add.")
    BigDecimal amount;

    @Option(names = "--note", description = "A note for the ledger.")
    String note;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            var a = b.accounts.addCredit(Accounts.find(b, account).id(), amount, note);
            System.out.println(Accounts.line(a));
        }
        return 0;
    }
}
