package org.vpsd.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vpsd.server.testing.TestServer;

/** A read from PostgreSQL that waits past the read timeout closes its socket; one that is answered, or no read at all, does not. */
class PgSocketFactoryTest {
    @Test
    void aReadWaitingPastTheTimeoutIsClosedAndAnAnsweredOneIsNot() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Socket silent = new PgSocketFactory(Duration.ofMillis(300)).createSocket();
            silent.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            Socket silentPeer = server.accept();
            Socket answered = new PgSocketFactory(Duration.ofMillis(300)).createSocket();
            answered.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            Socket answeringPeer = server.accept();
            try (silentPeer; answeringPeer; silent; answered) {
                // Idle past the timeout without reading: nothing to close.
                Thread.sleep(400);
                assertThat(PgSocketFactory.lookOnce()).isZero();
                InputStream in = silent.getInputStream();
                CompletableFuture<Long> stuck = CompletableFuture.supplyAsync(() -> {
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> in.read(new byte[16])).isInstanceOf(SocketException.class);
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                }, r -> Thread.ofVirtual().start(r));
                // The answered socket reads what its peer sends, while the other waits.
                answeringPeer.getOutputStream().write(42);
                assertThat(answered.getInputStream().read()).isEqualTo(42);
                long waited = stuck.get(10, TimeUnit.SECONDS);
                assertThat(waited).as("closed by the watchdog after the timeout, within its round")
                        .isBetween(250L, 300 + PgSocketFactory.LOOK_EVERY.toMillis() + 2_000);
                assertThat(silent.isClosed()).isTrue();
                assertThat(answered.isClosed()).isFalse();
                answeringPeer.getOutputStream().write(43);
                assertThat(answered.getInputStream().read()).isEqualTo(43);
            }
        }
    }

    @Test
    void pgjdbcMakesItsSocketsWithItAndAStatementPastTheTimeoutFailsAsALostConnection() throws Exception {
        try (TestServer s = TestServer.start()) {
            Database db = s.app.backend.database;
            assumeTrue(db.kind() == Database.Kind.POSTGRESQL, "PostgreSQL's sockets");
            assertThat(PgSocketFactory.open()).as("vpsd's pools connect through the factory").isPositive();
            String url = org.vpsd.server.testing.TestDatabase.configured();
            String watched = url + (url.contains("?") ? "&" : "?") + "socketFactory=" + PgSocketFactory.class.getName()
                    + "&" + PgSocketFactory.READ_TIMEOUT + "=1";
            try (var c = DriverManager.getConnection(watched); var st = c.createStatement()) {
                try (var rs = st.executeQuery("SELECT 1")) {
                    assertThat(rs.next()).isTrue();
                }
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> st.execute("SELECT pg_sleep(8)"))
                        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
                assertThat(c.isClosed()).isTrue();
            }
        }
    }
}
