package org.vpsd.server.store;

import org.jdbi.v3.core.Handle;
import org.vpsd.server.domain.Repositories;

/** The repositories of one JDBI handle (one transaction). Each is created when first asked for. */
final class JdbiRepositories implements Repositories {
    private final Handle h;
    private final CatalogCache catalog;
    private final AddressHints addressHints;

    JdbiRepositories(Handle h, CatalogCache catalog, AddressHints addressHints) {
        this.h = h;
        this.catalog = catalog;
        this.addressHints = addressHints;
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
        return new ServerSql(h, catalog);
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
        return new AddressSql(h, addressHints);
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
