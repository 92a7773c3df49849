package dev.loupe.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback HTTP server that serves byte arrays at paths, standing in for an image CDN
 * or a model hub; it honours {@code Range: bytes=N-} and remembers the ranges asked for.
 */
public final class ImageHost implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final java.util.List<String> ranges = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ImageHost() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = files.get(exchange.getRequestURI().getPath());
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                String range = exchange.getRequestHeaders().getFirst("Range");
                int from = 0;
                if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                    ranges.add(exchange.getRequestURI().getPath() + " " + range);
                    from = Integer.parseInt(range.substring(6, range.length() - 1));
                }
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                if (from >= body.length && from > 0) {
                    exchange.sendResponseHeaders(416, -1);
                } else {
                    if (from > 0) exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                    int length = body.length - from;
                    exchange.sendResponseHeaders(from > 0 ? 206 : 200, length == 0 ? -1 : length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body, from, length);
                    }
                }
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** Serves {@code bytes} at {@code path} and returns its URL. */
    public String put(String path, byte[] bytes) {
        files.put(path, bytes);
        return url(path);
    }

    /** The range requests received, as {@code "<path> bytes=N-"}. */
    public java.util.List<String> ranges() {
        return java.util.List.copyOf(ranges);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
