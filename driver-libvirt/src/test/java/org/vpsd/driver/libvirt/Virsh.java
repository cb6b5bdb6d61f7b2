package org.vpsd.driver.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs commands (virsh, ssh, ip) for the end-to-end test: what a provider would type. */
final class Virsh {
    record Result(int code, String out) {
        boolean ok() {
            return code == 0;
        }
    }

    private Virsh() {}

    static Result run(int timeoutSeconds, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static Result virsh(String... args) {
        List<String> cmd = new ArrayList<>(List.of("virsh", "-q", "-c", LibvirtTestHost.URI));
        cmd.addAll(List.of(args));
        return run(60, cmd);
    }

    static Result ssh(Path key, String ip, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-i", key.toString(), "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "ServerAliveInterval=2",
                "-o", "ServerAliveCountMax=2", "-o", "LogLevel=ERROR", "root@" + ip));
        cmd.addAll(List.of(command));
        return run(30, cmd);
    }

    /** Whether port 22 accepts a TCP connection within half a second. */
    static boolean port22(String ip) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(ip, 22), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String domState(String name) {
        Result r = virsh("domstate", name);
        return r.ok() ? r.out().lines().findFirst().orElse("") : "missing";
    }
}
