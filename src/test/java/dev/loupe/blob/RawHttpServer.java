package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;

/**
 * A loopback-only TCP server that hands each connection's request head to a handler which
 * writes whatever bytes it likes, so tests can answer slowly, malformed or not at all.
 */
final class RawHttpServer implements AutoCloseable {
    @FunctionalInterface
    interface Handler {
        void handle(String requestHead, OutputStream out) throws Exception;
    }

    private final ServerSocket server;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> serverNames = new CopyOnWriteArrayList<>();

    RawHttpServer(Handler handler) throws IOException {
        this(new ServerSocket(), handler);
    }

    /** Serves on {@code unbound} (a TLS server socket, say), bound here to loopback. */
    RawHttpServer(ServerSocket unbound, Handler handler) throws IOException {
        server = unbound;
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                accepted.add(s);
                Thread.ofVirtual().start(() -> serve(s, handler));
            }
        });
    }

    private void serve(Socket s, Handler handler) {
        try (s) {
            String head = readHead(s.getInputStream());
            if (s instanceof SSLSocket tls && tls.getSession() instanceof ExtendedSSLSession session) {
                session.getRequestedServerNames().forEach(n -> serverNames.add(((SNIHostName) n).getAsciiName()));
            }
            requests.add(head);
            handler.handle(head, s.getOutputStream());
            s.getOutputStream().flush();
        } catch (Exception e) {
            // the client went away or the test ended: nothing to answer
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.append((char) b);
        }
        return head.toString();
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    static void respond(OutputStream out, String head, byte[] body) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
    }

    /** Writes {@code bytes} one at a time with a pause between, until the client hangs up. */
    static void trickle(OutputStream out, byte[] bytes, long pauseMillis) throws IOException, InterruptedException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
            Thread.sleep(pauseMillis);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) s.close();
    }
}
