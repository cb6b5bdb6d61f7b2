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
            char[] text = seconds(value);
            if (text != null) {
                gen.writeString(text, 0, text.length);
            } else {
                gen.writeString(value.truncatedTo(ChronoUnit.SECONDS).toString());
            }
        }

        /**
         * {@code Instant.truncatedTo(SECONDS).toString()} for the years 0 to 9999 ({@code 2026-12-05T06:29:53Z}),
         * or null for others. The JDK's formatter took a tenth of vpsd's CPU on a page of 50 servers (two
         * instants each; bench/RESULTS.md); this is arithmetic on the epoch second.
         */
        static char[] seconds(Instant value) {
            long epochSecond = value.getEpochSecond();
            if (epochSecond < YEAR_0 || epochSecond > YEAR_9999_END) {
                return null;
            }
            long days = Math.floorDiv(epochSecond, 86_400);
            int secondOfDay = (int) Math.floorMod(epochSecond, 86_400);
            java.time.LocalDate date = java.time.LocalDate.ofEpochDay(days);
            int year = date.getYear();
            char[] c = "0000-00-00T00:00:00Z".toCharArray();
            digits(c, 0, 4, year);
            digits(c, 5, 2, date.getMonthValue());
            digits(c, 8, 2, date.getDayOfMonth());
            digits(c, 11, 2, secondOfDay / 3600);
            digits(c, 14, 2, secondOfDay / 60 % 60);
            digits(c, 17, 2, secondOfDay % 60);
            return c;
        }

        /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
        private static final long YEAR_0 = -62_167_219_200L, YEAR_9999_END = 253_402_300_799L;

        private static void digits(char[] c, int at, int width, int value) {
            for (int i = at + width - 1; i >= at; i--) {
                c[i] = (char) ('0' + value % 10);
                value /= 10;
            }
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
