package org.vpsd.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The one Jackson configuration of the wire format, shared by the server and the client. */
public final class Wire {
    private static final ObjectMapper MAPPER = create();

    private Wire() {}

    /** The shared, thread-safe mapper: snake_case names, nulls kept, instants as {@code ...T..:..:..Z}. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper create() {
        SimpleModule seconds = new SimpleModule("vpsd-wire");
        seconds.addSerializer(Instant.class, new SecondsInstantSerializer());
        seconds.addSerializer(BigDecimal.class, new PlainDecimalSerializer());
        // Buffers are reused through a small shared pool, not per thread: the server answers each request
        // on a new virtual thread, where Jackson's default thread-local pool allocates fresh buffers
        // (several KiB) for every response.
        JsonFactory factory = JsonFactory.builder()
                .recyclerPool(JsonRecyclerPools.newBoundedPool(128))
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .addModule(new JavaTimeModule())
                .addModule(seconds)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .serializationInclusion(JsonInclude.Include.ALWAYS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
        // A generous but finite nesting depth and string length: bodies are small documents.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxStringLength(1_000_000)
                .maxNumberLength(100)
                .build());
        return mapper;
    }

    /** Writes instants truncated to whole seconds, as the reference pages show them. */
    static final class SecondsInstantSerializer extends StdSerializer<Instant> {
        SecondsInstantSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.truncatedTo(ChronoUnit.SECONDS).toString());
        }
    }

    /** Writes money as a plain JSON number with at least two decimals, never in exponent notation. */
    static final class PlainDecimalSerializer extends StdSerializer<BigDecimal> {
        PlainDecimalSerializer() {
            super(BigDecimal.class);
        }

        @Override
        public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            BigDecimal stripped = value.stripTrailingZeros();
            gen.writeNumber(stripped.setScale(Math.max(2, stripped.scale())).toPlainString());
        }
    }
}
