package org.vpsd.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.vpsd.server.domain.CatalogSpec;

/**
 * The catalog of the documentation's examples, which a fresh development instance starts with:
 * plans 1 "Standard VPS" and 2 "Performance VPS", OS 3 "Debian 12" and 5 "Ubuntu 22.04 LTS",
 * locations us-west and us-east on the documentation address ranges (RFC 5737, RFC 3849).
 */
public final class DevCatalog {
    public static final String RESOURCE = "/catalog/documentation.yaml";

    private DevCatalog() {}

    public static String text() {
        try (InputStream in = DevCatalog.class.getResourceAsStream(RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("The development catalog is missing from the jar", e);
        }
    }

    public static CatalogSpec spec() {
        return CatalogFile.parse(text());
    }
}
