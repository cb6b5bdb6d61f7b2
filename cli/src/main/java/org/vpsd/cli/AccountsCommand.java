package org.vpsd.cli;

import picocli.CommandLine.Command;

/** {@code vpsd accounts ...}: customer accounts and their credit. */
@Command(name = "accounts", mixinStandardHelpOptions = true, description = "Customer accounts and their credit.",
        subcommands = {AccountsCreate.class, AccountsList.class, AccountsShow.class, AccountsCredit.class, AccountsLedger.class})
final class AccountsCommand {}
