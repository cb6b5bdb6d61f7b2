package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vpsd tokens revoke ID}: customer or admin token. */
@Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token (customer or admin) by id.")
final class TokensRevoke implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Parameters(paramLabel = "ID", description = "The token's id.")
    long id;

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            b.accounts.revokeToken(id);
            System.out.println("Token " + id + " revoked.");
        }
        return 0;
    }
}
