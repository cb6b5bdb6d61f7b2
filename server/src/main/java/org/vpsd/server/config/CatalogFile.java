package org.vpsd.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vpsd.server.domain.CatalogSpec;
import org.vpsd.server.domain.Location;
import org.vpsd.server.domain.OsImage;
import org.vpsd.server.domain.Plan;

/**
 * The catalog file a provider writes (YAML, or JSON, which is YAML too). Memory is in MB, storage
 * and bandwidth in GB, prices per hour. See {@code docs/catalog.example.yaml}.
 */
public final class CatalogFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private CatalogFile() {}

    public record Doc(List<PlanDoc> plans, List<OsDoc> os, List<LocationDoc> locations) {}

    public record PlanDoc(long id, String name, int vcpus, int memory, int storage, int bandwidth, BigDecimal priceHourly,
            Boolean available) {}

    public record OsDoc(long id, String name, String image, Boolean available) {}

    public record LocationDoc(String code, String name, Boolean available, List<RangeDoc> ipv4, List<RangeDoc> ipv6,
            List<String> dns, List<HostDoc> hosts) {}

    public record RangeDoc(String cidr, String gateway, Integer poolSize) {}

    public record HostDoc(String name, String uri, int vcpus, int memory, Double cpuRatio, Double memoryRatio,
            @JsonProperty("domain_type") String domainType, String bridge, Boolean enabled) {}

    public static CatalogSpec read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /** Parses a catalog document; IllegalArgumentException with the parser's reason if it is not one. */
    public static CatalogSpec parse(String text) {
        Doc doc;
        try {
            doc = YAML.readValue(text, Doc.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid catalog document: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (doc == null) {
            throw new IllegalArgumentException("Invalid catalog document: it is empty");
        }
        noEmptyEntries(doc);
        return toSpec(doc);
    }

    private static void noEmptyEntries(Doc doc) {
        List<List<?>> lists = new java.util.ArrayList<>(java.util.Arrays.asList(doc.plans(), doc.os(), doc.locations()));
        for (LocationDoc l : orEmpty(doc.locations())) {
            if (l != null) {
                lists.addAll(java.util.Arrays.asList(l.ipv4(), l.ipv6(), l.dns(), l.hosts()));
            }
        }
        for (List<?> list : lists) {
            if (list != null && list.contains(null)) {
                throw new IllegalArgumentException("Invalid catalog document: a list has an empty entry");
            }
        }
    }

    static CatalogSpec toSpec(Doc doc) {
        List<Plan> plans = orEmpty(doc.plans()).stream().map(p -> new Plan(p.id(), p.name(), p.vcpus(), p.memory(), p.storage(),
                p.bandwidth(), p.priceHourly() == null ? BigDecimal.ZERO : p.priceHourly(), p.available() == null || p.available()))
                .toList();
        List<OsImage> os = orEmpty(doc.os()).stream()
                .map(o -> new OsImage(o.id(), o.name(), o.image() == null ? o.name() : o.image(), o.available() == null || o.available()))
                .toList();
        List<CatalogSpec.LocationSpec> locations = orEmpty(doc.locations()).stream().map(l -> new CatalogSpec.LocationSpec(
                l.code(), l.name() == null ? l.code() : l.name(), l.available() == null || l.available(),
                orEmpty(l.ipv4()).stream().map(CatalogFile::range).toList(),
                orEmpty(l.ipv6()).stream().map(CatalogFile::range).toList(),
                orEmpty(l.dns()),
                orEmpty(l.hosts()).stream().map(h -> new Location.Host(0, h.name(), h.uri(), h.vcpus(), h.memory(),
                        h.cpuRatio() == null ? 4.0 : h.cpuRatio(), h.memoryRatio() == null ? 1.0 : h.memoryRatio(),
                        h.domainType() == null ? "kvm" : h.domainType(), h.bridge(), h.enabled() == null || h.enabled())).toList()))
                .toList();
        return new CatalogSpec(plans, os, locations);
    }

    private static CatalogSpec.RangeSpec range(RangeDoc r) {
        return new CatalogSpec.RangeSpec(r.cidr(), r.gateway(), r.poolSize());
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    public static String toYaml(Doc doc) {
        try {
            return YAML.writeValueAsString(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored catalog as a document, the same shape {@link #parse} reads. */
    public static Doc describe(List<Plan> plans, List<OsImage> os, List<Location> locations) {
        return new Doc(
                plans.stream().map(p -> new PlanDoc(p.id(), p.name(), p.vcpus(), p.memoryMb(), p.storageGb(), p.bandwidthGb(),
                        p.hourlyPrice(), p.available())).toList(),
                os.stream().map(o -> new OsDoc(o.id(), o.name(), o.image(), o.available())).toList(),
                locations.stream().map(l -> new LocationDoc(l.code(), l.name(), l.available(),
                        l.ranges().stream().filter(r -> r.family() == 4).map(r -> new RangeDoc(r.cidr(), r.gateway(), null)).toList(),
                        l.ranges().stream().filter(r -> r.family() == 6).map(r -> new RangeDoc(r.cidr(), r.gateway(), null)).toList(),
                        l.ranges().stream().findFirst().map(Location.AddressRange::dns).orElse(List.of()),
                        l.hosts().stream().map(h -> new HostDoc(h.name(), h.uri(), h.vcpus(), h.memoryMb(), h.cpuRatio(),
                                h.memoryRatio(), h.domainType(), h.bridge(), h.enabled())).toList())).toList());
    }
}
