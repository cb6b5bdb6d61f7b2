package org.vpsd.server.store;

import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.Repositories;

/** The repositories of one JDBI handle (one transaction). Each is created when first asked for. */
final class JdbiRepositories implements Repositories {
    private final Handle h;
    private final Database database;

    /** The repositories of {@code h}, one of {@code database}'s handles, with what the process keeps of that database. */
    JdbiRepositories(Handle h, Database database) {
        this.h = h;
        this.database = database;
    }

    @Override
    public Accounts accounts() {
        return new AccountSql(h);
    }

    @Override
    public Tokens tokens() {
        return new TokenSql(h);
    }

    @Override
    public Catalog catalog() {
        return new CatalogSql(h);
    }

    @Override
    public Servers servers() {
        return new ServerSql(h, database.catalogCache());
    }

    @Override
    public Tasks tasks() {
        return new TaskSql(h);
    }

    @Override
    public Ledger ledger() {
        return new LedgerSql(h);
    }

    @Override
    public Addresses addresses() {
        return new AddressSql(h, database.addressHints());
    }

    @Override
    public SshKeys sshKeys() {
        return new SshKeySql(h);
    }

    @Override
    public Events events() {
        return new EventSql(h);
    }

    @Override
    public Usages usage() {
        return new UsageSql(h);
    }

    @Override
    public Leases leases() {
        return new LeaseSql(h);
    }

    @Override
    public Settings settings() {
        return new SettingsSql(h);
    }
}
