package org.vpsd.cli;

import org.vpsd.server.Backend;
import org.vpsd.server.domain.Account;

/** Finds an account by name, or by id when given digits that no account is named. */
final class Accounts {
    private Accounts() {}

    static Account find(Backend b, String nameOrId) {
        return b.accounts.accountByName(nameOrId).orElseGet(() -> {
            if (nameOrId.matches("[0-9]{1,18}")) {
                return b.accounts.account(Long.parseLong(nameOrId));
            }
            throw new IllegalArgumentException("No account named " + nameOrId);
        });
    }

    static String line(Account a) {
        return String.format("%-6d %-24s balance %-14s %s", a.id(), a.name(), a.balance().stripTrailingZeros().toPlainString(),
                a.suspended() ? "SUSPENDED" : "");
    }
}
