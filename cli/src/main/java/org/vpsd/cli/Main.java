package org.vpsd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vpsd}: serve the API, or act on an instance's database as its provider. */
@Command(name = "vpsd", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "A self-hosted VPS control plane serving the VPS.org Servers API.",
        subcommands = {
            ServeCommand.class,
            AccountsCommand.class,
            TokensCommand.class,
            AdminTokensCommand.class,
            CatalogCommand.class,
            MigrateCommand.class,
            SeedFleetCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command; try: vpsd serve");
    }

    public static void main(String[] args) {
        boolean serve = args.length > 0 && args[0].equals("serve");
        System.exit(withErrorHandling(new CommandLine(serve ? new ServeOnly() : new Main())).execute(args));
    }

    /**
     * {@code vpsd serve} alone: picocli reflects over every command it is given before parsing, and the
     * whole tree took 0.18 s of a start-up that should stay under 1.5 s. Same name, options and help.
     */
    @Command(name = "vpsd", mixinStandardHelpOptions = true, versionProvider = Version.class,
            subcommands = {ServeCommand.class})
    static final class ServeOnly implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("unreachable: vpsd serve always names its subcommand");
        }
    }

    /** The command line, with vpsd's error handling (a clear message and exit code 1 for a refused operation). */
    public static CommandLine commandLine() {
        return withErrorHandling(new CommandLine(new Main()));
    }

    private static CommandLine withErrorHandling(CommandLine cl) {
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            Throwable t = e;
            if (t instanceof org.vpsd.server.domain.FieldErrors.Invalid invalid) {
                invalid.errors().forEach((field, messages) -> cmd.getErr().println("vpsd: " + field + ": " + String.join(" ", messages)));
            } else {
                cmd.getErr().println("vpsd: " + (t.getMessage() == null ? t.toString() : t.getMessage()));
            }
            return 1;
        });
        return cl;
    }
}
