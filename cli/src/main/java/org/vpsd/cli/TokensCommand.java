package org.vpsd.cli;

import picocli.CommandLine.Command;

/** {@code vpsd tokens ...}: customers' API tokens. */
@Command(name = "tokens", mixinStandardHelpOptions = true, description = "Customers' API tokens.",
        subcommands = {TokensCreate.class, TokensList.class, TokensRevoke.class})
final class TokensCommand {}
