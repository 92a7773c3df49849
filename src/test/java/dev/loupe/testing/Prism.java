package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stoplight Prism's validating proxy ({@code scripts/prism}, installed by {@code npm ci},
 * which {@code ./loupe test} runs) in front of a server: every exchange sent through it is
 * checked against Mixpeek's OpenAPI document, and what breaks the document comes back in
 * the {@code sl-violations} response header.
 *
 * <p>Prism needs about a minute to compile the 4 MB document, so a test class starts one
 * per server and sends all its requests through it. Missing node or Prism fails the test:
 * the contract check is the point of the tests that use it, so it must not silently skip.
 */
public final class Prism implements AutoCloseable {
    private static final Path INSTALL = Path.of("scripts/prism");
    private static final Path EXECUTABLE = INSTALL.resolve("node_modules/.bin/prism");
    private static final Duration STARTUP_LIMIT = Duration.ofMinutes(4);
    private static final int LOG_LINES = 40;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Deque<String> log = new ArrayDeque<>();
    // A test JVM that exits without closing (a crash, an interrupt) must not leave Prism listening.
    private final Thread stopAtExit;

    /** One exchange through the proxy: what Loupe answered, and what Prism found wrong with it. */
    public record Exchange(String method, String path, int status, JsonNode body, String raw, List<Violation> violations) {
        public List<Violation> responseViolations() {
            return violations.stream().filter(Violation::inResponse).toList();
        }

        public List<Violation> requestViolations() {
            return violations.stream().filter(v -> !v.inResponse()).toList();
        }
    }

    /** One entry of {@code sl-violations}: where ({@code response.body.results}), how bad, and why. */
    public record Violation(String location, String severity, String code, String message) {
        public boolean inResponse() {
            return location.startsWith("response");
        }

        @Override
        public String toString() {
            return severity + " at " + location + " (" + code + "): " + message;
        }
    }

    private Prism(Process process, int port) {
        this.process = process;
        this.port = port;
        this.stopAtExit = new Thread(process::destroy, "prism-stop:" + port);
        Runtime.getRuntime().addShutdownHook(stopAtExit);
    }

    /** Starts a proxy for {@code upstream} (an http base URL) on a free port and waits until it listens. */
    public static Prism proxy(String upstream) {
        requireInstalled();
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(EXECUTABLE.toAbsolutePath().toString(), "proxy",
                Fixtures.openApi().toAbsolutePath().toString(), upstream, "--host", "127.0.0.1", "--port", Integer.toString(port))
                .redirectErrorStream(true);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + EXECUTABLE + ": " + e.getMessage(), e);
        }
        Prism prism = new Prism(process, port);
        prism.awaitListening();
        return prism;
    }

    private static void requireInstalled() {
        if (!Files.isRegularFile(Fixtures.openApi())) fail("Mixpeek's OpenAPI document is missing: " + Fixtures.openApi().toAbsolutePath());
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node.getInputStream().readAllBytes();
            if (node.waitFor() != 0) fail("node does not run; Prism's contract check needs node (apt-get install nodejs npm)");
        } catch (IOException e) {
            fail("node is not installed; Prism's contract check needs node and npm (apt-get install nodejs npm), then ./loupe test");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!Files.isExecutable(EXECUTABLE)) {
            fail("Stoplight Prism is not installed in " + INSTALL + "; run `npm ci` there (./loupe test does it)");
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads Prism's log (which must be drained: it lists every route at start) until it says it listens. */
    private void awaitListening() {
        CountDownLatch listening = new CountDownLatch(1);
        Thread.ofPlatform().daemon().name("prism-log:" + port).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    remember(line);
                    if (line.contains("Prism is listening on")) listening.countDown();
                }
            } catch (IOException e) {
                remember("log read failed: " + e.getMessage());
            } finally {
                listening.countDown();
            }
        });
        try {
            boolean ended = listening.await(STARTUP_LIMIT.toSeconds(), TimeUnit.SECONDS);
            if (!ended || !process.isAlive()) {
                close();
                fail("Prism did not start " + (ended ? "(it exited)" : "within " + STARTUP_LIMIT) + "; its last output:\n" + logTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException(e);
        }
    }

    private void remember(String line) {
        synchronized (log) {
            if (log.size() == LOG_LINES) log.removeFirst();
            log.addLast(line);
        }
    }

    /** Prism's last lines of output, for failure messages. */
    public String logTail() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Sends a request through the proxy; {@code key}, {@code namespace} and {@code json} may be null.
     * A published retriever's public key ({@code ret_sk_…}) goes in {@code X-Public-API-Key}, any other as the bearer.
     */
    public Exchange send(String method, String path, String key, String namespace, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(60));
        if (key != null && key.startsWith(dev.loupe.publish.Publications.KEY_PREFIX)) b.header("X-Public-API-Key", key);
        else if (key != null) b.header("Authorization", "Bearer " + key);
        if (namespace != null) b.header("X-Namespace", namespace);
        if (json != null) b.header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r;
        try {
            r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " through Prism failed: " + e.getMessage() + "\nPrism's log:\n" + logTail(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        JsonNode body = parseOrNull(r.body());
        return new Exchange(method, path, r.statusCode(), body, r.body(),
                violations(r.headers().firstValue("sl-violations").orElse(null)));
    }

    private static JsonNode parseOrNull(String raw) {
        if (raw == null || raw.isBlank()) return null;
        try {
            return Api.parse(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The {@code sl-violations} header: a JSON array of {@code {location: [...], severity, code, message}}. */
    static List<Violation> violations(String header) {
        List<Violation> out = new ArrayList<>();
        if (header == null || header.isBlank()) return out;
        JsonNode array = Api.parse(header);
        for (JsonNode v : array) {
            List<String> location = new ArrayList<>();
            for (JsonNode part : v.path("location")) location.add(part.asText());
            out.add(new Violation(String.join(".", location), v.path("severity").asText(), v.path("code").asText(), v.path("message").asText()));
        }
        return out;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopAtExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook stops it
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
