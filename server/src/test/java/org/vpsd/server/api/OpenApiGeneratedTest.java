package org.vpsd.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served openapi.json is exactly what scripts/openapi/generate.py writes: the two never drift apart. */
class OpenApiGeneratedTest {
    @Test
    void theCommittedDocumentIsTheGeneratorsOutput(@TempDir Path tmp) throws Exception {
        Path script = Path.of("..", "scripts", "openapi", "generate.py").toAbsolutePath().normalize();
        Path out = tmp.resolve("openapi.json");
        Process p = new ProcessBuilder("python3", script.toString(), out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(Files.readString(out)).isEqualTo(Files.readString(Path.of("src", "main", "resources", "openapi.json")));
    }
}
