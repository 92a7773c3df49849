package dev.loupe.testing.engines;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on loopback in front of one address, whose link can be cut the way a firewall
 * rule that drops packets cuts it. Each connection is two virtual threads copying bytes, one per
 * direction.
 *
 * <h2>Partition</h2>
 * {@link #partition()} stops forwarding in both directions and closes nothing: a peer that waits
 * for an answer waits until its own timeout, as it would for packets that vanish, and sees no
 * reset. Bytes read during the partition are held (a chunk per direction; the rest stays in the
 * kernel's buffers), and a close seen during it is held too. {@link #heal()} delivers what was
 * held and forwards again, as TCP's retransmissions would once the route is back; a peer that
 * gave up during the partition and closed its end has its close delivered then.
 *
 * <p>Connections accepted during a partition never reach the upstream: the kernel completes the
 * handshake before this proxy could drop it, so the client believes it is connected, but nothing
 * it sends arrives. At {@link #heal()} they are closed (the client sees an end of stream and
 * opens a new connection), rather than being connected late, which would deliver requests a
 * client may have given up on long ago.
 *
 * <p>If the upstream cannot be reached when a connection comes in (the engine was killed), the
 * client's connection is closed at once, as a refused connection would be.
 */
public final class TcpProxy implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;

    private final String name;
    private final InetSocketAddress upstream;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    /** Accepted while partitioned; closed at heal. */
    private final List<Socket> held = new ArrayList<>();
    private final Object gate = new Object();
    private final AtomicLong forwarded = new AtomicLong();
    private boolean partitioned; // guarded by gate
    private volatile boolean closed;

    private TcpProxy(String name, InetSocketAddress upstream, ServerSocket listener) {
        this.name = name;
        this.upstream = upstream;
        this.listener = listener;
        this.acceptor = Thread.ofVirtual().name("tcp-proxy-accept:" + name).start(this::accept);
    }

    /** A proxy on a free loopback port forwarding to {@code 127.0.0.1:upstreamPort}. */
    public static TcpProxy to(String name, int upstreamPort) {
        return on(name, 0, upstreamPort);
    }

    /** A proxy on loopback port {@code port} (0: any free one) forwarding to {@code 127.0.0.1:upstreamPort}. */
    public static TcpProxy on(String name, int port, int upstreamPort) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            return new TcpProxy(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for proxy " + name + " on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    public int upstreamPort() {
        return upstream.getPort();
    }

    public String name() {
        return name;
    }

    /** Bytes forwarded so far, both directions together: a test can see that traffic went this way. */
    public long forwardedBytes() {
        return forwarded.get();
    }

    /** Connections open now (accepted during a partition included). */
    public int openConnections() {
        synchronized (gate) {
            return links.size() + held.size();
        }
    }

    /** Stops forwarding in both directions, closing nothing; see the class comment. */
    public void partition() {
        synchronized (gate) {
            partitioned = true;
        }
    }

    /** Forwards again: what was held is delivered, connections accepted meanwhile are closed. */
    public void heal() {
        List<Socket> toClose;
        synchronized (gate) {
            partitioned = false;
            toClose = new ArrayList<>(held);
            held.clear();
            gate.notifyAll();
        }
        for (Socket s : toClose) closeQuietly(s);
    }

    public boolean isPartitioned() {
        synchronized (gate) {
            return partitioned;
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            synchronized (gate) {
                if (partitioned) {
                    held.add(client);
                    continue;
                }
            }
            Thread.ofVirtual().name("tcp-proxy-connect:" + name).start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket server = new Socket();
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(upstream, 5_000);
        } catch (IOException refused) {
            closeQuietly(server);
            closeQuietly(client);
            return;
        }
        Link link = new Link(client, server);
        links.add(link);
        if (closed) {
            link.close();
            return;
        }
        Thread.ofVirtual().name("tcp-proxy-up:" + name).start(() -> pump(link, client, server));
        Thread.ofVirtual().name("tcp-proxy-down:" + name).start(() -> pump(link, server, client));
    }

    /** Copies {@code from} to {@code to}, waiting out any partition before each write and before passing the end of stream on. */
    private void pump(Link link, Socket from, Socket to) {
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException reset) {
                    n = -1;
                }
                if (!awaitForwarding()) return;
                if (n < 0) {
                    // The end, passed on as the peer's close would arrive: half-close, so the other direction may finish.
                    try {
                        to.shutdownOutput();
                    } catch (IOException gone) {
                        // the other side is closed already
                    }
                    break;
                }
                // Counted before the write: once the peer has the bytes, the count already holds them.
                forwarded.addAndGet(n);
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // A write failed: the receiving end is gone, so the whole link is (the other pump's read ends with it).
            link.close();
        } finally {
            if (link.ended()) {
                links.remove(link);
                link.close();
            }
        }
    }

    /** Blocks while partitioned; false once the proxy is closed. */
    private boolean awaitForwarding() {
        synchronized (gate) {
            while (partitioned && !closed) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return !closed;
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        List<Socket> toClose;
        synchronized (gate) {
            toClose = new ArrayList<>(held);
            held.clear();
            gate.notifyAll();
        }
        for (Socket s : toClose) closeQuietly(s);
        for (Link l : links) l.close();
        links.clear();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[" + name + " :" + port() + " -> :" + upstream.getPort() + (isPartitioned() ? ", partitioned" : "") + "]";
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing to do about it
        }
    }

    /** One client connection and its upstream connection; over when both directions have ended. */
    private static final class Link {
        private final Socket client;
        private final Socket server;
        private int ended; // guarded by this

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        synchronized boolean ended() {
            return ++ended == 2;
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
        }
    }
}
