package org.vpsd.driver.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vpsd.server.store.Database;

/**
 * The issue's end-to-end test: a real vpsd process ({@code cli/target/vpsd.jar serve --driver
 * libvirt}) with a catalog whose location lists this machine's libvirt as its host, a customer
 * account, an SSH key and a server created through the API; then, each checked on the real guest
 * and on the host: SSH prints the hostname; stop shuts the domain off; start; reboot (a new
 * boot_id); {@code poweroff} inside the guest makes the server {@code stopped}; delete removes the
 * domain, both volumes and the address. Measures POST to SSH and, for the same image and seed,
 * {@code virsh start} to SSH of a copy of the domain defined with virsh alone.
 */
class LibvirtEndToEndIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(Long.getLong("vpsd.libvirt.e2e.timeout", 300));
    private static final String BASELINE = "vpsd-e2e-baseline-" + Long.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffffL);

    @TempDir
    Path tmp;

    private Process vpsd;
    private int port;
    private String token;
    private String vmName;
    private String ip;
    private final List<String> neighbours = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void libvirtIsThere() {
        LibvirtTestHost.require();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (vpsd != null) {
            vpsd.destroy();
            if (!vpsd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                vpsd.destroyForcibly();
            }
        }
        for (String name : vmName == null ? List.of(BASELINE) : List.of(BASELINE, vmName)) {
            Virsh.virsh("destroy", name);
            Virsh.virsh("undefine", name);
            Virsh.virsh("vol-delete", "--pool", LibvirtTestHost.POOL, Volumes.overlayName(name));
            Virsh.virsh("vol-delete", "--pool", LibvirtTestHost.POOL, Volumes.seedName(name));
        }
        if (vmName != null) {
            Path serial = Path.of("/var/log/libvirt/qemu", vmName + "-serial.log");
            if (Files.exists(serial)) {
                Files.copy(serial, Path.of("target/libvirt-e2e-serial.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        LibvirtTestHost.removeLogs(BASELINE);
        if (vmName != null) {
            LibvirtTestHost.removeLogs(vmName + "-serial.log");
            LibvirtTestHost.removeLogs(vmName + ".log");
        }
        for (String n : neighbours) {
            Virsh.run(10, List.of("ip", "neigh", "del", n, "dev", LibvirtTestHost.BRIDGE));
        }
        Path err = tmp.resolve("vpsd-err.log");
        if (Files.exists(err)) {
            Path kept = Path.of(System.getProperty("vpsd.libvirt.e2e.log", "target/libvirt-e2e-vpsd.log"));
            Files.createDirectories(kept.toAbsolutePath().getParent());
            Files.copy(err, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.println("vpsd's log: " + kept.toAbsolutePath());
        }
    }

    @Test
    void aCustomerGetsARealServerAndSshsIn() throws Exception {
        long t0 = System.nanoTime();
        Path data = tmp.resolve("data");
        Path catalog = tmp.resolve("catalog.yaml");
        Files.writeString(catalog, catalogYaml());
        port = freePort();
        vpsd = new ProcessBuilder(vpsdCommand("serve", "--data", data.toString(), "--port", Integer.toString(port), "--driver", "libvirt",
                "--catalog", catalog.toString(), "--usage-interval", "PT10S", "--reconcile-interval", "PT5S"))
                .redirectOutput(tmp.resolve("vpsd-out.log").toFile()).redirectError(tmp.resolve("vpsd-err.log").toFile()).start();
        awaitTrue("vpsd answers /readyz", Duration.ofSeconds(90), () -> {
            try {
                return get("/readyz").statusCode() == 200;
            } catch (IllegalStateException notYet) {
                assertThat(vpsd.isAlive()).as("vpsd is running (see its log)").isTrue();
                return false;
            }
        });
        Virsh.Result account = Virsh.run(120, vpsdCommand("accounts", "create", "e2e", "--credit", "100", "--data", data.toString()));
        assertThat(account.code()).as("accounts create: %s", account.out()).isZero();
        token = account.out().lines().reduce((a, b) -> b).orElseThrow().strip();

        Path key = tmp.resolve("id_ed25519");
        assertThat(Virsh.run(30, List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e", "-f", key.toString())).ok()).isTrue();
        JsonNode sshKey = post("/api/v1/ssh-keys/", "{\"name\": \"e2e\", \"public_key\": " + JSON.writeValueAsString(
                Files.readString(Path.of(key + ".pub")).strip()) + "}", 201);
        String hostname = "e2e-" + Long.toHexString(ThreadLocalRandom.current().nextInt() & 0xffffffL) + ".example.test";
        String shortName = hostname.substring(0, hostname.indexOf('.'));

        // A provider's vpsd has been running for a while: let its start-up work (JIT compilation,
        // the first reconciliation) settle, so that it does not compete with the guest's boot.
        awaitIdle(vpsd.pid());

        // Create, and measure POST -> SSH.
        Path vpsdStat = Path.of("/proc/" + vpsd.pid() + "/stat");
        long vpsdTicks = cpuTicks(vpsdStat);
        long posted = System.nanoTime();
        java.time.LocalTime postedAt = java.time.LocalTime.now(); // the zone vpsd logs in
        JsonNode created = post("/api/v1/servers/", "{\"name\": \"e2e\", \"plan_id\": 1, \"os_id\": 3, \"location\": \"e2e\", "
                + "\"hostname\": \"" + hostname + "\", \"ssh_key_id\": " + sshKey.get("id").asLong() + "}", 201);
        long id = created.get("id").asLong();
        vmName = "vpsd-" + id;
        pinNeighbour(); // before the address is known too: the MAC is the driver's, derived from the name
        JsonNode server = awaitStatus(id, "active");
        double postToActive = seconds(posted);
        ip = server.get("ip_address").asText();
        assertThat(ip).as("ip_address of an active server").startsWith("10.77.0.");
        pinNeighbour();
        awaitSsh(key, "hostname", shortName);
        double postToSsh = seconds(posted);
        double vpsdCpu = (cpuTicks(vpsdStat) - vpsdTicks) / 100.0;
        System.out.printf(Locale.ROOT, "e2e: POST -> active %.1f s, POST -> SSH %.1f s (server %d, %s, %s); vpsd used %.1f s of CPU meanwhile%n",
                postToActive, postToSsh, id, vmName, ip, vpsdCpu);
        assertThat(Virsh.ssh(key, ip, "hostname", "-f").out()).isEqualTo(hostname);

        // Stop: the domain shuts off and the server is stopped.
        post("/api/v1/servers/" + id + "/stop/", "", 200);
        awaitStatus(id, "stopped");
        assertThat(Virsh.domState(vmName)).isEqualTo("shut off");

        // The same image and seed booted with virsh alone: the baseline for vpsd's overhead.
        double virshStartToSsh = baseline(key, shortName);

        // Start: SSH again.
        post("/api/v1/servers/" + id + "/start/", "", 200);
        awaitStatus(id, "active");
        awaitSsh(key, "hostname", shortName);

        // Reboot: back to active, with a new boot_id.
        String bootId = Virsh.ssh(key, ip, "cat", "/proc/sys/kernel/random/boot_id").out();
        post("/api/v1/servers/" + id + "/reboot/", "", 200);
        awaitStatus(id, "active");
        awaitTrue("SSH with a boot_id other than " + bootId, WAIT, () -> {
            if (!Virsh.port22(ip)) {
                return false;
            }
            Virsh.Result r = Virsh.ssh(key, ip, "cat", "/proc/sys/kernel/random/boot_id");
            return r.ok() && !r.out().isEmpty() && !r.out().equals(bootId);
        });

        // poweroff inside the guest: the server becomes stopped by itself.
        Virsh.ssh(key, ip, "poweroff");
        awaitStatus(id, "stopped");
        assertThat(Virsh.domState(vmName)).isEqualTo("shut off");

        // Delete: domain, volumes and address gone.
        HttpResponse<String> del = send(HttpRequest.newBuilder(url("/api/v1/servers/" + id + "/")).DELETE());
        assertThat(del.statusCode()).as("DELETE: %s", del.body()).isIn(200, 202, 204);
        awaitTrue("server " + id + " gone (404)", WAIT, () -> get("/api/v1/servers/" + id + "/").statusCode() == 404);
        assertThat(Virsh.domState(vmName)).isEqualTo("missing");
        String volumes = Virsh.virsh("vol-list", LibvirtTestHost.POOL).out();
        assertThat(volumes).doesNotContain(Volumes.overlayName(vmName)).doesNotContain(Volumes.seedName(vmName));
        assertThat(holderOf(data, ip)).as("server holding %s after delete", ip).isNull();

        double overhead = 100.0 * (postToSsh - virshStartToSsh) / virshStartToSsh;
        double own = secondsBeforeBoot(postedAt);
        System.out.printf(Locale.ROOT, "e2e: POST -> SSH %.1f s; virsh start -> SSH %.1f s (same image and seed): difference %.1f %%"
                + " (mostly boot-time noise under TCG); vpsd's own time from POST to virDomainCreate %.2f s = %.1f %% of virsh start -> SSH;"
                + " whole test %.0f s%n", postToSsh, virshStartToSsh, overhead, own, 100 * own / virshStartToSsh, seconds(t0));
    }

    /** Defines a copy of the stopped server's domain with virsh (fresh overlay, same seed and MAC), times start -> SSH, removes it. */
    private double baseline(Path key, String shortName) throws IOException {
        String pool = LibvirtTestHost.POOL;
        String xml = Virsh.virsh("dumpxml", vmName).out();
        String overlay = Virsh.virsh("vol-path", "--pool", pool, Volumes.overlayName(vmName)).out();
        String seed = Virsh.virsh("vol-path", "--pool", pool, Volumes.seedName(vmName)).out();
        check(Virsh.virsh("vol-create-as", pool, Volumes.overlayName(BASELINE), "10G", "--format", "qcow2", "--backing-vol",
                LibvirtTestHost.IMAGE, "--backing-vol-format", "qcow2"));
        check(Virsh.virsh("vol-clone", "--pool", pool, Volumes.seedName(vmName), Volumes.seedName(BASELINE)));
        String copy = xml.replaceAll("<uuid>[^<]*</uuid>", "")
                .replace("<name>" + vmName + "</name>", "<name>" + BASELINE + "</name>")
                .replace(overlay, overlay.replace(Volumes.overlayName(vmName), Volumes.overlayName(BASELINE)))
                .replace(seed, seed.replace(Volumes.seedName(vmName), Volumes.seedName(BASELINE)))
                .replace(vmName + "-serial.log", BASELINE + "-serial.log");
        Path file = tmp.resolve("baseline.xml");
        Files.writeString(file, copy);
        check(Virsh.virsh("define", file.toString()));
        long started = System.nanoTime();
        check(Virsh.virsh("start", BASELINE));
        awaitSsh(key, "hostname", shortName, BASELINE);
        double took = seconds(started);
        System.out.printf(Locale.ROOT, "e2e: virsh start -> SSH %.1f s (%s, first boot, same image, seed and plan)%n", took, BASELINE);
        Virsh.virsh("destroy", BASELINE);
        Virsh.virsh("undefine", BASELINE);
        Virsh.virsh("vol-delete", "--pool", pool, Volumes.overlayName(BASELINE));
        Virsh.virsh("vol-delete", "--pool", pool, Volumes.seedName(BASELINE));
        return took;
    }

    private static void check(Virsh.Result r) {
        assertThat(r.code()).as("virsh: %s", r.out()).isZero();
    }

    /**
     * Seconds from the POST to the moment vpsd called virDomainCreate (the moment {@code virsh start}
     * also begins with): API, engine, placement, volumes, seed and definition. From vpsd's log line
     * "NAME created on URI: volumes, seed and definition A ms, virDomainCreate B ms" (local times).
     */
    private double secondsBeforeBoot(java.time.LocalTime postedAt) throws IOException {
        var line = java.util.regex.Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*" + vmName + " created on .*virDomainCreate (\\d+) ms");
        for (String l : Files.readAllLines(tmp.resolve("vpsd-err.log"))) {
            var m = line.matcher(l);
            if (m.find()) {
                var createCalled = java.time.LocalTime.parse(m.group(1)).minusNanos(Long.parseLong(m.group(2)) * 1_000_000L);
                return Duration.between(postedAt, createCalled).toNanos() / 1e9;
            }
        }
        return Double.NaN;
    }

    /** Permanent neighbour entries for the guest (as smoke.sh does): ARP retries are not measured. */
    private void pinNeighbour() {
        if (ip == null) {
            return;
        }
        Virsh.run(10, List.of("ip", "neigh", "replace", ip, "lladdr", DomainXml.mac(vmName), "dev", LibvirtTestHost.BRIDGE, "nud", "permanent"));
        neighbours.add(ip);
    }

    /** Tries SSH one attempt at a time, each once port 22 answers, until it prints {@code expected}. */
    private void awaitSsh(Path key, String command, String expected) {
        awaitSsh(key, command, expected, vmName);
    }

    /** As above; fails at once if the guest's serial console says it booted without its seed. */
    private void awaitSsh(Path key, String command, String expected, String domain) {
        Path serial = Path.of("/var/log/libvirt/qemu", domain + "-serial.log");
        awaitTrue("ssh root@" + ip + " " + command + " printing " + expected, WAIT, () -> {
            if (Virsh.port22(ip) && expected.equals(Virsh.ssh(key, ip, command).out())) {
                return true;
            }
            try {
                if (Files.exists(serial) && Files.readString(serial, java.nio.charset.StandardCharsets.ISO_8859_1).contains("no NoCloud seed")) {
                    fail(domain + " booted without finding its NoCloud seed (see " + serial + ")");
                }
            } catch (IOException e) {
                // no serial log to look at
            }
            return false;
        });
    }

    private JsonNode awaitStatus(long id, String status) {
        JsonNode[] last = new JsonNode[1];
        awaitTrue("server " + id + " " + status, WAIT, () -> {
            HttpResponse<String> r = get("/api/v1/servers/" + id + "/");
            if (r.statusCode() != 200) {
                return false;
            }
            last[0] = read(r.body());
            return status.equals(last[0].get("status").asText())
                    && (!"active".equals(status) || last[0].hasNonNull("ip_address"));
        });
        return last[0];
    }

    /** Waits (at most a minute) until the process uses less than 5 % of a core over two seconds. */
    private static void awaitIdle(long pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        long before = cpuTicks(stat);
        while (System.nanoTime() < deadline) {
            Thread.sleep(2000);
            long now = cpuTicks(stat);
            if (now - before < 10) { // clock ticks are 1/100 s: 0.1 s of CPU in 2 s
                return;
            }
            before = now;
        }
    }

    private static long cpuTicks(Path stat) throws IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplier until) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!until.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not " + what + " within " + timeout);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** The server id holding {@code address} in vpsd's database (reached through H2's automatic server), or null. */
    private static Long holderOf(Path data, String address) throws Exception {
        try (var c = DriverManager.getConnection(Database.h2Url(data));
                PreparedStatement st = c.prepareStatement("SELECT server_id FROM ip_addresses WHERE address = ?")) {
            st.setString(1, address);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        }
    }

    private static String catalogYaml() {
        return """
                plans:
                  - id: 1
                    name: e2e
                    vcpus: 2
                    memory: 1024
                    storage: 10
                    bandwidth: 100
                    price_hourly: 0.01
                os:
                  - id: 3
                    name: Debian 12 (test image)
                    image: %s
                locations:
                  - code: e2e
                    name: This machine
                    ipv4:
                      - cidr: 10.77.0.0/24
                        gateway: 10.77.0.1
                    ipv6:
                      - cidr: fd00:10:77:0::/64
                        gateway: fd00:10:77:0::1
                        pool_size: 256
                    dns: [10.77.0.1]
                    hosts:
                      - name: local
                        uri: %s
                        vcpus: 4
                        memory: 8192
                        cpu_ratio: 4.0
                        memory_ratio: 1.0
                        domain_type: qemu
                        bridge: %s
                """.formatted(LibvirtTestHost.IMAGE, LibvirtTestHost.URI, LibvirtTestHost.BRIDGE);
    }

    private static List<String> vpsdCommand(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = System.getProperty("vpsd.jar", "../cli/target/vpsd.jar");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-jar", jar));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(url(path)).GET());
    }

    private JsonNode post(String path, String body, int expected) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(url(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(expected);
        return r.body().isBlank() ? JSON.createObjectNode() : read(r.body());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(body, e);
        }
    }
}
