package org.vpsd.driver.libvirt;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.jna.virError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.vpsd.server.driver.HypervisorException;

/**
 * One libvirt connection per host URI, opened on first use and opened again when a call fails on
 * a connection that is no longer alive (libvirtd restarted, an SSH tunnel dropped). libvirt's
 * event loop runs on a daemon thread of its own (started before the first connection, as libvirt
 * requires); each new connection gets keepalive probes and the event listeners of {@link Events}.
 *
 * <p>Every call runs on a platform thread. libvirt's binding calls native code through JNA, and a
 * virtual thread cannot leave its carrier thread while it is in native code. vpsd calls drivers from
 * virtual threads (the engine's steps, the usage collector) and answers the API on virtual threads
 * too, on as many carriers as there are cores: a few slow libvirt calls made there (a guest being
 * built under TCG, a connection to a host that does not answer) would hold every carrier, and no
 * request would be answered until they returned. So a call from a virtual thread is handed to a
 * thread of {@link #calls}, and the virtual thread waits for it unmounted ({@code NativeCallsTest}).
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
    /** What opening a host's connection locks, per host URI. */
    private final Map<String, Object> opening = new ConcurrentHashMap<>();
    /** The platform threads that calls from virtual threads run on: made as calls need them, ended after a minute idle. */
    private final ExecutorService calls = Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("libvirt-call-", 0).factory());
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

    /**
     * Runs {@code call} on the host's connection, on a platform thread (the caller's own unless it is a
     * virtual thread); once more on a new connection if the old one died. An interrupted caller stops
     * waiting (a {@link HypervisorException}); the call itself goes on to its end, as native code cannot
     * be interrupted, and its outcome is dropped: the engine runs the step again, and the driver's calls
     * are idempotent.
     */
    <T> T with(String uri, Call<T> call) throws LibvirtException {
        if (!Thread.currentThread().isVirtual()) {
            return here(uri, call);
        }
        Future<T> result;
        try {
            result = calls.submit(() -> here(uri, call));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("The libvirt driver is closed", e);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("Interrupted while waiting for libvirt at " + uri, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof LibvirtException le) {
                throw le;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private <T> T here(String uri, Call<T> call) throws LibvirtException {
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
        // One connect at a time per host, never waiting for another host's: a host that does not answer
        // (down, or its SSH tunnel hanging) holds up only the calls for that host.
        synchronized (opening.computeIfAbsent(uri, u -> new Object())) {
            c = open.get(uri);
            if (c == null) {
                c = new Connect(uri, false);
                if (keepalive > 0) {
                    c.setKeepAlive(keepalive, 3);
                }
                watcher.opened(uri, c);
                open.put(uri, c);
                if (closed) {
                    drop(uri, c);
                    throw new IllegalStateException("The libvirt driver is closed");
                }
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
        calls.shutdown();
        open.forEach(this::closeQuietly);
        open.clear();
    }
}
