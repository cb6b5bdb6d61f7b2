package org.vpsd.server.api.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy to put between vpsd and its database, so that a test can take the database away as a
 * network failure would: {@link #close()} refuses new connections and cuts the open ones.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final String targetHost;
    private final int targetPort;
    private volatile boolean open = true;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("tcp-proxy-accept").start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (open) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                if (!open) {
                    client.close();
                    upstream.close();
                    return;
                }
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (!open) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().name("tcp-proxy-pump").start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side is gone, or the proxy was closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    /** Refuses new connections and resets the open ones. */
    @Override
    public void close() {
        open = false;
        closeQuietly(listener);
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closing anyway
            }
            closeQuietly(s);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // best effort
        }
    }
}
