package org.vpsd.driver.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vpsd.server.driver.HypervisorException;

/**
 * libvirt's calls run in native code (JNA). Made on a virtual thread, such a call would hold its
 * carrier, one of as many as there are cores, which vpsd's requests run on too; and a host that does
 * not answer must hold up only its own calls. Here libvirt connects to hosts that accept the TCP
 * connection and never answer, so each call stays in native code until the host goes away.
 * Needs libvirt's client library only (no daemon, no guest).
 */
class NativeCallsTest {
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void callsWaitingInLibvirtHoldNeitherTheCarriersOfVirtualThreadsNorCallsToOtherHosts() throws Exception {
        int hosts = Runtime.getRuntime().availableProcessors() + 2;
        List<ServerSocket> silent = new ArrayList<>();
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        LibvirtHypervisor hv = new LibvirtHypervisor(LibvirtOptions.from(Map.of()));
        try {
            List<Future<List<String>>> calls = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                silent.add(server);
                Thread.ofPlatform().daemon().start(() -> acceptAll(server, accepted));
                String uri = "qemu+tcp://127.0.0.1:" + server.getLocalPort() + "/system";
                calls.add(callers.submit(() -> hv.list(uri)));
            }

            // Every host was connected to, none waiting for another's connect to end.
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (accepted.size() < hosts && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(accepted).as("hosts connected to (each by a virtual thread of its own)").hasSize(hosts);
            assertThat(calls).noneMatch(Future::isDone);

            // A virtual thread still runs at once while more calls than cores wait in libvirt.
            long t0 = System.nanoTime();
            long ran = callers.submit(System::nanoTime).get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(ran - t0)).isLessThan(Duration.ofSeconds(1));

            // The hosts go away: each call fails as the driver's error, none is left hanging.
            for (Socket s : accepted) {
                s.close();
            }
            for (Future<List<String>> call : calls) {
                assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(HypervisorException.class);
            }
        } finally {
            // Whatever failed, the calls still in libvirt are let go of before the driver closes.
            callers.shutdownNow();
            for (Socket s : accepted) {
                s.close();
            }
            for (ServerSocket s : silent) {
                s.close();
            }
            hv.close();
        }
    }

    private static void acceptAll(ServerSocket server, List<Socket> accepted) {
        try {
            while (true) {
                accepted.add(server.accept());
            }
        } catch (IOException closed) {
            // the test is over
        }
    }
}
