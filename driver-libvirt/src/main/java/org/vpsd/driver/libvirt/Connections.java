package org.vpsd.driver.libvirt;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One libvirt connection per host URI, opened on first use and opened again when a call fails on
 * a connection that is no longer alive (libvirtd restarted, an SSH tunnel dropped). libvirt's
 * event loop runs on a daemon thread of its own (started before the first connection, as libvirt
 * requires); each new connection gets keepalive probes and the event listeners of {@link Events}.
 */
final class Connections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
    private static final Object LOOP = new Object();
    private static boolean loopRunning;
    /** Kept referenced: libvirt calls it from native code. Errors are reported by the calls that raise them. */
    private static final ErrorCallback QUIET = new ErrorCallback() {
        @Override
        public void errorCallback(com.sun.jna.Pointer userData, virError error) {
            if (LOG.isTraceEnabled()) {
                LOG.trace("libvirt: {}", error.message);
            }
        }
    };

    /** A call on a connection. */
    @FunctionalInterface
    interface Call<T> {
        T apply(Connect c) throws LibvirtException;
    }

    /** Told about each connection opened and each closed (to register and remove event listeners). */
    interface Watcher {
        void opened(String uri, Connect c);

        void closing(String uri, Connect c);
    }

    private final Map<String, Connect> open = new ConcurrentHashMap<>();
    private final int keepalive;
    private final Watcher watcher;
    private volatile boolean closed;

    Connections(int keepalive, Watcher watcher) {
        this.keepalive = keepalive;
        this.watcher = watcher;
        startEventLoop();
    }

    /** Starts libvirt's event loop once per process; it must run before the first connection is opened. */
    static void startEventLoop() {
        synchronized (LOOP) {
            if (loopRunning) {
                return;
            }
            try {
                Connect.setErrorCallback(QUIET);
                Library.initEventLoop();
            } catch (LibvirtException e) {
                throw new IllegalStateException("libvirt's event loop cannot start: " + Errors.message(e), e);
            }
            Thread t = new Thread(() -> {
                try {
                    Library.runEventLoop();
                } catch (LibvirtException e) {
                    LOG.error("libvirt's event loop stopped: {}", Errors.message(e));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "libvirt-events");
            t.setDaemon(true);
            t.start();
            loopRunning = true;
        }
    }

    /** Runs {@code call} on the host's connection; once more on a new connection if the old one died. */
    <T> T with(String uri, Call<T> call) throws LibvirtException {
        Connect c = get(uri);
        try {
            return call.apply(c);
        } catch (LibvirtException e) {
            if (alive(c)) {
                throw e;
            }
            LOG.warn("The connection to {} was lost ({}); connecting again", uri, Errors.message(e));
            drop(uri, c);
            return call.apply(get(uri));
        }
    }

    private Connect get(String uri) throws LibvirtException {
        if (closed) {
            throw new IllegalStateException("The libvirt driver is closed");
        }
        Connect c = open.get(uri);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            c = open.get(uri);
            if (c == null) {
                c = new Connect(uri, false);
                if (keepalive > 0) {
                    c.setKeepAlive(keepalive, 3);
                }
                watcher.opened(uri, c);
                open.put(uri, c);
                LOG.info("Connected to {} ({})", uri, c.getHostName());
            }
            return c;
        }
    }

    private static boolean alive(Connect c) {
        try {
            return c.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    private synchronized void drop(String uri, Connect c) {
        open.remove(uri, c);
        closeQuietly(uri, c);
    }

    private void closeQuietly(String uri, Connect c) {
        try {
            watcher.closing(uri, c);
        } catch (RuntimeException e) {
            LOG.debug("Removing event listeners from {}: {}", uri, e.toString());
        }
        try {
            c.close();
        } catch (LibvirtException e) {
            LOG.debug("Closing {}: {}", uri, Errors.message(e));
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        open.forEach(this::closeQuietly);
        open.clear();
    }
}
