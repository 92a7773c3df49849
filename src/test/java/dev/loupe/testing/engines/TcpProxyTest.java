package dev.loupe.testing.engines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A reader that waits for ever is ended by the class's time limit, which no passing run comes near. */
@Timeout(60)
class TcpProxyTest {
    /** How long a read waits for bytes that a partition must keep from arriving. */
    private static final int SILENCE_MILLIS = 400;

    private Echo echo;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new Echo();
        proxy = TcpProxy.to("echo", echo.port());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void bytesFlowBothWaysThroughTheProxy() throws IOException {
        try (Socket s = connect()) {
            send(s, "hello");
            assertEquals("hello", receive(s, 5));
            send(s, "again");
            assertEquals("again", receive(s, 5));
        }
        assertTrue(proxy.forwardedBytes() >= 20, "both directions counted: " + proxy.forwardedBytes());
    }

    @Test
    void partitionedAnOpenConnectionStaysOpenButNothingArrivesEitherWay() throws IOException {
        try (Socket s = connect()) {
            send(s, "one");
            assertEquals("one", receive(s, 3));
            int received = echo.bytesReceived();
            proxy.partition();
            send(s, "two");
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(), "a read times out: no answer and no reset");
            assertEquals(received, echo.bytesReceived(), "the upstream got nothing sent during the partition");
            assertTrue(!s.isClosed() && proxy.openConnections() == 1, "the connection is not closed");
        }
    }

    @Test
    void healedWhatWasSentDuringThePartitionArrivesAndTheConnectionCarriesOn() throws IOException {
        try (Socket s = connect()) {
            send(s, "one");
            assertEquals("one", receive(s, 3));
            proxy.partition();
            send(s, "two");
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            proxy.heal();
            assertEquals("two", receive(s, 3), "held bytes are delivered at heal, as retransmissions would be");
            send(s, "three");
            assertEquals("three", receive(s, 5));
        }
    }

    @Test
    void aConnectionOpenedDuringThePartitionGetsNothingAndIsClosedAtHeal() throws IOException {
        proxy.partition();
        try (Socket s = connect()) {
            send(s, "lost");
            assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
            proxy.heal();
            s.setSoTimeout(0);
            assertEquals(-1, s.getInputStream().read(), "closed at heal: the client opens a new connection");
        }
        assertEquals(0, echo.bytesReceived(), "nothing sent on it reached the upstream");
        try (Socket fresh = connect()) {
            send(fresh, "new");
            assertEquals("new", receive(fresh, 3));
        }
    }

    @Test
    void aCloseDuringThePartitionReachesTheUpstreamOnlyAtHeal() throws IOException {
        Socket s = connect();
        send(s, "x");
        assertEquals("x", receive(s, 1));
        proxy.partition();
        s.close();
        assertEquals(1, echo.openConnections(), "the upstream does not see the close while partitioned");
        proxy.heal();
        echo.awaitConnections(0);
    }

    @Test
    void anUnreachableUpstreamClosesTheClientsConnectionAtOnce() throws IOException {
        echo.close();
        try (Socket s = connect()) {
            s.setSoTimeout(0);
            assertEquals(-1, s.getInputStream().read(), "refused upstream: the client's connection ends");
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2_000);
        s.setSoTimeout(SILENCE_MILLIS);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads exactly {@code n} bytes, waiting for them as long as it takes. */
    private static String receive(Socket s, int n) throws IOException {
        int before = s.getSoTimeout();
        s.setSoTimeout(0);
        byte[] got = s.getInputStream().readNBytes(n);
        s.setSoTimeout(before);
        return new String(got, StandardCharsets.UTF_8);
    }

    /** Echoes every byte back, counting what it received and the connections it has open. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicInteger open = new AtomicInteger();

        private final Thread acceptor;

        Echo() throws IOException {
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        open.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] b = new byte[1024];
                for (int n; (n = in.read(b)) >= 0; ) {
                    received.addAndGet(n);
                    out.write(b, 0, n);
                    out.flush();
                }
            } catch (IOException gone) {
                // the client went away
            } finally {
                synchronized (open) {
                    open.decrementAndGet();
                    open.notifyAll();
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        int bytesReceived() {
            return received.get();
        }

        int openConnections() {
            return open.get();
        }

        /** Waits (without a time limit: the test's own timeout bounds it) until {@code n} connections are open. */
        void awaitConnections(int n) {
            synchronized (open) {
                while (open.get() != n) {
                    try {
                        open.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        @Override
        /**
         * Returns once nothing listens: a socket closed while a virtual thread waits in its accept may
         * go on listening until that thread has run again, so a connection made meanwhile was accepted.
         */
        public void close() throws IOException {
            server.close();
            try {
                acceptor.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
