package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vpsd admin-tokens create|list}: tokens for the provider's API under /admin/v1/. */
@Command(name = "admin-tokens", mixinStandardHelpOptions = true, description = "Tokens for the provider's admin API.",
        subcommands = {AdminTokensCommand.Create.class, AdminTokensCommand.ListTokens.class})
final class AdminTokensCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Issue an admin token (printed once, last line).")
    static final class Create implements Callable<Integer> {
        @Mixin
        DatabaseOptions db = new DatabaseOptions();

        @Option(names = "--name", description = "A name to recognise the token by.")
        String name;

        @Override
        public Integer call() {
            try (Backend b = Backends.open(db)) {
                var t = b.accounts.issueToken(null, name);
                System.out.println("Admin token " + t.info().id() + " (" + t.info().name() + "), shown only this once:");
                System.out.println(t.token());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List admin tokens (hints only).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        DatabaseOptions db = new DatabaseOptions();

        @Override
        public Integer call() {
            try (Backend b = Backends.open(db)) {
                b.accounts.tokens(null).forEach(t -> System.out.printf("%-6d %-20s %-16s created %s%s%n", t.id(), t.name(), t.hint(),
                        t.createdAt(), t.revokedAt() == null ? "" : "  REVOKED " + t.revokedAt()));
            }
            return 0;
        }
    }
}
