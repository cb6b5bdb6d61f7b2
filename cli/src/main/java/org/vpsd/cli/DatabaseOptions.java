package org.vpsd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which instance a command acts on: its data directory (embedded database) or a JDBC URL. */
final class DatabaseOptions {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:VPSD_DATA:-vpsd-data}",
            description = "Data directory of the instance; holds the embedded database (default: ${DEFAULT-VALUE}, env VPSD_DATA).")
    Path data;

    @Option(names = "--database", paramLabel = "JDBC_URL", defaultValue = "${env:VPSD_DATABASE}",
            description = "JDBC URL of the database, e.g. jdbc:postgresql://127.0.0.1:5432/vpsd?user=vpsd (env VPSD_DATABASE); "
                    + "default: the embedded H2 database in --data.")
    String database;
}
