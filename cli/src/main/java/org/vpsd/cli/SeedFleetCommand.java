package org.vpsd.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.vpsd.server.Backend;
import org.vpsd.server.store.FleetSeeder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vpsd seed-fleet}: fills an instance with accounts and active servers through batched
 * inserts, for benchmarks (100,000 servers in well under a minute instead of 100,000 API calls).
 */
@Command(name = "seed-fleet", mixinStandardHelpOptions = true,
        description = "For benchmarks: add accounts and active servers (plan 1, OS 5, location 'fleet') in bulk; writes their "
                + "tokens to a file. Loads the documentation's catalog first if plan 1 or OS 5 is missing.")
final class SeedFleetCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Option(names = "--accounts", defaultValue = "1000", description = "Accounts to add (default ${DEFAULT-VALUE}).")
    int accounts;

    @Option(names = "--servers", defaultValue = "100000", description = "Servers to add in all (default ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--big-account", defaultValue = "10000",
            description = "Servers of the first account (default ${DEFAULT-VALUE}); the others share the rest.")
    int big;

    @Option(names = "--tokens-file", required = true, description = "Where to write the accounts' ids and tokens (id<TAB>token per line).")
    Path tokensFile;

    @Override
    public Integer call() throws Exception {
        if (accounts < 1 || servers < 0 || big < 0 || big > servers) {
            throw new IllegalArgumentException("need accounts >= 1 and 0 <= big-account <= servers");
        }
        long started = System.nanoTime();
        try (Backend b = Backends.open(db)) {
            if (b.catalog.plans().stream().noneMatch(p -> p.id() == 1) || b.catalog.osImages().stream().noneMatch(o -> o.id() == 5)) {
                b.catalog.apply(org.vpsd.server.config.DevCatalog.spec());
            }
            var made = new FleetSeeder(b.database).seed(accounts, servers, big, done -> {
                if (done % 50_000 == 0 || done == servers) {
                    System.err.printf("  %,d servers%n", done);
                }
            });
            Files.writeString(tokensFile, made.stream().map(a -> a.id() + "\t" + a.token()).collect(Collectors.joining("\n", "", "\n")));
        }
        System.out.printf("Seeded %,d accounts and %,d servers in %.1f s; tokens in %s%n", accounts, servers,
                (System.nanoTime() - started) / 1e9, tokensFile);
        return 0;
    }
}
