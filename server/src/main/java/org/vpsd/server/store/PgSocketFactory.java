package org.vpsd.server.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of vpsd's PostgreSQL connections (pgjdbc's {@code socketFactory}): a read that has waited
 * longer than the read timeout (the connection property {@value #READ_TIMEOUT}, in seconds; 30 unless
 * set) closes its socket, and the statement fails as a lost connection. That is what pgjdbc's own {@code socketTimeout} does, without its cost here.
 *
 * <p>Why not {@code socketTimeout}: it makes every read a timed one, and a virtual thread's timed wait
 * schedules a task with the JDK's timer thread and cancels it, each waking that thread. vpsd reads from
 * PostgreSQL on virtual threads (requests, the engine's steps), a dozen round trips per server created:
 * under {@code engine.sh pg} the timer's work was 7% of vpsd's CPU (bench/RESULTS.md, 2026-12-06). Here a
 * read costs two writes of a field, and one platform thread looks at every socket once a second.
 */
public final class PgSocketFactory extends SocketFactory {
    private static final Logger LOG = LoggerFactory.getLogger(PgSocketFactory.class);

    /** The connection property with the read timeout in seconds (0: none). */
    public static final String READ_TIMEOUT = "vpsdReadTimeout";

    /** How often the watchdog looks: a stuck read is closed between the timeout and this much later. */
    static final Duration LOOK_EVERY = Duration.ofSeconds(1);

    private static final long NOT_READING = Long.MIN_VALUE;
    private static final Set<WatchedSocket> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile Thread watchdog;

    private final long timeoutNanos;

    /** As pgjdbc makes it: with the connection's properties. */
    public PgSocketFactory(Properties info) {
        this(Duration.ofSeconds(Long.parseLong(info.getProperty(READ_TIMEOUT, "30").trim())));
    }

    PgSocketFactory(Duration readTimeout) {
        this.timeoutNanos = readTimeout.toNanos();
    }

    @Override
    public Socket createSocket() {
        return new WatchedSocket(timeoutNanos);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress to) throws IOException {
        return connected(to, null);
    }

    private Socket connected(InetSocketAddress to, InetSocketAddress from) throws IOException {
        Socket s = createSocket();
        if (from != null) {
            s.bind(from);
        }
        s.connect(to);
        return s;
    }

    /** A socket whose blocking reads are timed by the watchdog. */
    static final class WatchedSocket extends Socket {
        private final long timeoutNanos;
        private volatile long readingSince = NOT_READING;
        private InputStream in;

        WatchedSocket(long timeoutNanos) {
            this.timeoutNanos = timeoutNanos;
            if (timeoutNanos > 0) {
                OPEN.add(this);
                startWatchdog();
            }
        }

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        readingSince = System.nanoTime();
                        try {
                            return super.read();
                        } finally {
                            readingSince = NOT_READING;
                        }
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        readingSince = System.nanoTime();
                        try {
                            return super.read(b, off, len);
                        } finally {
                            readingSince = NOT_READING;
                        }
                    }
                };
            }
            return in;
        }

        @Override
        public void close() throws IOException {
            OPEN.remove(this);
            super.close();
        }

        /** Closed if a read has waited past the timeout at {@code now}; true if it was. */
        boolean closeIfStuck(long now) {
            long since = readingSince;
            if (since == NOT_READING || now - since <= timeoutNanos) {
                return false;
            }
            LOG.warn("A read from PostgreSQL ({}) waited more than {} s: its connection is closed", getRemoteSocketAddress(),
                    Duration.ofNanos(timeoutNanos).toSeconds());
            try {
                close();
            } catch (IOException e) {
                LOG.debug("Closing a stuck connection: {}", e.toString());
            }
            return true;
        }
    }

    /** Sockets open now (whose reads are watched). */
    static int open() {
        return OPEN.size();
    }

    /** Looks at every open socket once now (the watchdog's round); how many it closed. */
    static int lookOnce() {
        long now = System.nanoTime();
        int closed = 0;
        for (WatchedSocket s : OPEN) {
            if (s.closeIfStuck(now)) {
                closed++;
            }
        }
        return closed;
    }

    private static void startWatchdog() {
        if (watchdog != null) {
            return;
        }
        synchronized (PgSocketFactory.class) {
            if (watchdog == null) {
                watchdog = Thread.ofPlatform().daemon().name("vpsd-db-read-watchdog").start(() -> {
                    while (true) {
                        try {
                            Thread.sleep(LOOK_EVERY);
                            lookOnce();
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            LOG.warn("The database read watchdog's round failed: {}", e.toString());
                        }
                    }
                });
            }
        }
    }
}
