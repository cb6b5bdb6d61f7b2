package org.vpsd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vpsd.server.Backend;
import org.vpsd.server.config.CatalogFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code vpsd catalog apply FILE | show}: plans, OS images, locations, address ranges and hosts. */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "The catalog: plans, OS images, locations.",
        subcommands = {CatalogCommand.Apply.class, CatalogCommand.Show.class})
final class CatalogCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true, description = "Make the catalog match a YAML (or JSON) file.")
    static final class Apply implements Callable<Integer> {
        @Mixin
        DatabaseOptions db = new DatabaseOptions();

        @Parameters(paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            try (Backend b = Backends.open(db)) {
                var applied = b.catalog.apply(CatalogFile.read(file));
                System.out.println("Catalog applied: " + applied.plans() + " plans, " + applied.osImages() + " OS images, "
                        + applied.locations() + " locations, " + applied.hosts() + " hosts, " + applied.addressesAdded()
                        + " addresses added.");
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the catalog as YAML.")
    static final class Show implements Callable<Integer> {
        @Mixin
        DatabaseOptions db = new DatabaseOptions();

        @Override
        public Integer call() throws Exception {
            try (Backend b = Backends.open(db)) {
                var doc = CatalogFile.describe(b.catalog.plans(), b.catalog.osImages(), b.catalog.locations());
                System.out.print(CatalogFile.toYaml(doc));
            }
            return 0;
        }
    }
}
