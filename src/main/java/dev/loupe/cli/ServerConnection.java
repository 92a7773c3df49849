package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The running Loupe a command talks to: its base URL, the API key and the namespace, taken
 * from the flags or else from {@code LOUPE_URL}, {@code LOUPE_API_KEY} and
 * {@code LOUPE_NAMESPACE}. Answers are JSON; a refusal becomes a {@link CliException} carrying
 * the server's own message (Mixpeek's {@code error.message}), never a stack trace.
 */
public final class ServerConnection {
    public static final String DEFAULT_URL = "http://127.0.0.1:8080";
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final URI base;
    private final Optional<String> key;
    private final Optional<String> namespace;
    private final HttpClient http;

    private ServerConnection(URI base, Optional<String> key, Optional<String> namespace, HttpClient http) {
        this.base = base;
        this.key = key;
        this.namespace = namespace;
        this.http = http;
    }

    /** A flag given wins over its environment variable; the URL defaults to this machine's port 8080. */
    public static ServerConnection resolve(Optional<String> url, Optional<String> key, Optional<String> namespace,
                                           Map<String, String> env) {
        String u = url.or(() -> nonBlank(env.get("LOUPE_URL"))).orElse(DEFAULT_URL);
        URI uri;
        try {
            uri = URI.create(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
        } catch (IllegalArgumentException e) {
            throw new CliException("--url: not a URL: " + u);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new CliException("--url: expected http://host:port or https://host, got " + u);
        }
        return new ServerConnection(uri, key.or(() -> nonBlank(env.get("LOUPE_API_KEY"))),
                namespace.or(() -> nonBlank(env.get("LOUPE_NAMESPACE"))),
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build());
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    public URI base() {
        return base;
    }

    public Optional<String> namespace() {
        return namespace;
    }

    /** The same server and key, acting in namespace {@code name} (an id or a name). */
    public ServerConnection inNamespace(String name) {
        return new ServerConnection(base, key, Optional.of(name), http);
    }

    /** {@code path} resolved on the server, such as {@code /v1/buckets}. */
    public URI uri(String path) {
        return URI.create(base + path);
    }

    public JsonNode get(String path) {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))));
    }

    public JsonNode delete(String path) {
        return send(request(path).DELETE());
    }

    /** A request to {@code path} carrying the key and the namespace. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT);
        key.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        namespace.ifPresent(n -> b.header("X-Namespace", n));
        return b;
    }

    /** Sends a request and reads its JSON answer; any status outside 2xx is a {@link CliException}. */
    public JsonNode send(HttpRequest.Builder request) {
        HttpRequest r = request.build();
        HttpResponse<String> response;
        try {
            response = http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliException("no Loupe answers at " + base + " (is `loupe serve` running? set --url or LOUPE_URL)", e);
        } catch (HttpTimeoutException e) {
            throw new CliException(r.method() + " " + r.uri().getPath() + ": no answer from " + base + " within " + REQUEST_TIMEOUT.toMinutes() + " minutes", e);
        } catch (IOException e) {
            throw new CliException(r.method() + " " + r.uri().getPath() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted", e);
        }
        JsonNode body = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            throw new CliException(refusal(r, response.statusCode(), body));
        }
        return body;
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) return Json.object();
        try {
            return Json.read(text);
        } catch (RuntimeException e) {
            return Json.object().put("raw", text.length() > 200 ? text.substring(0, 200) + "…" : text);
        }
    }

    private String refusal(HttpRequest r, int status, JsonNode body) {
        String message = body.path("error").path("message").asText(body.path("raw").asText(""));
        String hint = switch (status) {
            case 401 -> " (give an API key with --key or LOUPE_API_KEY)";
            case 403 -> " (this key may not do that)";
            default -> "";
        };
        return r.method() + " " + r.uri().getPath() + ": " + status + (message.isEmpty() ? "" : " " + message) + hint;
    }
}
