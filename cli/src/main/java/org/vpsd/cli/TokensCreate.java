package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vpsd tokens create ACCOUNT}: the token is the last line printed. */
@Command(name = "create", mixinStandardHelpOptions = true, description = "Issue a new API token for an account (printed once, last line).")
final class TokensCreate implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(paramLabel = "ACCOUNT", description = "Name or id.")
    String account;

    @Option(names = "--name", description = "A name to recognise the token by.")
    String name;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            var t = b.accounts.issueToken(Accounts.find(b, account).id(), name);
            System.out.println("Token " + t.info().id() + " (" + t.info().name() + "), shown only this once:");
            System.out.println(t.token());
        }
        return 0;
    }
}
