package org.vpsd.cli;

import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vpsd migrate}: bring the database schema up to date, and nothing else. */
@Command(name = "migrate", mixinStandardHelpOptions = true, description = "Create or update the database schema.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    DatabaseOptions db = new DatabaseOptions();

    @Override
    public Integer call() {
        try (Backend b = Backends.open(db)) {
            System.out.println("Schema up to date on " + b.database.describe());
        }
        return 0;
    }
}
