package org.vpsd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.testing.Http;
import org.vpsd.server.testing.TestDatabase;

/** The provider's subcommands, on an instance that runs and on one that does not. */
class CliIT {
    @TempDir
    Path tmp;

    private List<String> db(Path data) {
        TestDatabase d = TestDatabase.create(data);
        List<String> args = new ArrayList<>(List.of("--data", data.toString()));
        args.addAll(VpsdProcess.databaseArgs(d.url()));
        return args;
    }

    @Test
    void accountsCreatePrintsTheTokenLastAndTheTokenWorksWhileTheServerRuns() {
        Path data = tmp.resolve("data");
        List<String> dbArgs = db(data);
        try (VpsdProcess vpsd = VpsdProcess.serve(data, dbArgs.subList(2, dbArgs.size()))) {
            List<String> args = new ArrayList<>(List.of("accounts", "create", "acme", "--credit", "50"));
            args.addAll(dbArgs);
            VpsdProcess.Result r = VpsdProcess.run(args);
            assertThat(r.exit()).as(r.stderr()).isZero();
            String token = r.lastLine();
            assertThat(token).startsWith("vpsd_").hasSizeGreaterThan(40);
            Http api = new Http(vpsd.baseUrl(), token);
            assertThat(api.get("/api/v1/servers/").json().get("count").asInt()).isZero();
            assertThat(new Http(vpsd.baseUrl(), token + "x").get("/api/v1/servers/").status()).isEqualTo(401);

            List<String> again = new ArrayList<>(args);
            VpsdProcess.Result dup = VpsdProcess.run(again);
            assertThat(dup.exit()).isEqualTo(1);
            assertThat(dup.stderr()).contains("already exists");
        }
    }

    @Test
    void accountsCreateWorksWithoutARunningServerAndTheServerSeesIt() {
        Path data = tmp.resolve("data2");
        List<String> dbArgs = db(data);
        List<String> args = new ArrayList<>(List.of("accounts", "create", "offline", "--credit", "12.5"));
        args.addAll(dbArgs);
        VpsdProcess.Result r = VpsdProcess.run(args);
        assertThat(r.exit()).as(r.stderr()).isZero();
        String token = r.lastLine();
        try (VpsdProcess vpsd = VpsdProcess.serve(data, dbArgs.subList(2, dbArgs.size()))) {
            Http api = new Http(vpsd.baseUrl(), token);
            assertThat(api.get("/api/v1/servers/").status()).isEqualTo(200);
            List<String> list = new ArrayList<>(List.of("accounts", "show", "offline"));
            list.addAll(dbArgs);
            assertThat(VpsdProcess.run(list).stdout()).contains("offline").contains("12.5");
        }
    }
}
