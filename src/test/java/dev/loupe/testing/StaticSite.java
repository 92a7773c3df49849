package dev.loupe.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A folder served over HTTP on its own port: a web site of another origin than the Loupe under
 * test, as the pages that embed a published retriever are.
 */
public final class StaticSite implements AutoCloseable {
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "png", "image/png", "json", "application/json");

    private final HttpServer server;
    private final String host;

    private StaticSite(HttpServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /** Serves {@code root} at {@code http://<host>:<free port>/}; {@code host} names the loopback address (localhost, 127.0.0.1). */
    public static StaticSite serve(Path root, String host) throws IOException {
        Path base = root.toRealPath();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                Path file = base.resolve(path.equals("/") ? "index.html" : path.substring(1)).normalize();
                if (!file.startsWith(base) || !Files.isRegularFile(file)) {
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                String name = file.getFileName().toString();
                String type = TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream");
                byte[] bytes = Files.readAllBytes(file);
                ex.getResponseHeaders().add("Content-Type", type);
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
            }
        });
        server.start();
        return new StaticSite(server, host);
    }

    /** The site's origin, {@code http://host:port}. */
    public String origin() {
        return "http://" + host + ":" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
