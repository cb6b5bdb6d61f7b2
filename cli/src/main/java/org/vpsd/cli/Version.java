package org.vpsd.cli;

import picocli.CommandLine;

/** The version from the jar's manifest. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"vpsd " + (v == null ? "development" : v)};
    }
}
