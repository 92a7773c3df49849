package dev.loupe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client for Loupe's HTTP API, as an application would use it. */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String key;
    private final String namespace;

    public Api(String base, String key, String namespace) {
        this.base = base;
        this.key = key;
        this.namespace = namespace;
    }

    public Api withKey(String otherKey) {
        return new Api(base, otherKey, namespace);
    }

    public Api inNamespace(String ns) {
        return new Api(base, key, ns);
    }

    public String base() {
        return base;
    }

    public record Response(int status, JsonNode body, String raw) {
        public JsonNode get(String field) {
            return body.get(field);
        }

        public String text(String field) {
            return body.path(field).asText();
        }
    }

    public Response post(String path, String json) {
        return send("POST", path, json);
    }

    public Response post(String path, JsonNode json) {
        return send("POST", path, json.toString());
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /** Sends and requires a 200, failing the test with the server's error otherwise. */
    public JsonNode ok(String method, String path, String json) {
        Response r = send(method, path, json);
        if (r.status() != 200) fail(method + " " + path + " answered " + r.status() + ": " + r.raw());
        return r.body();
    }

    public Response send(String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (namespace != null) b.header("X-Namespace", namespace);
        b.header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Response(r.statusCode(), body, r.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public byte[] download(String url) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), "GET " + url);
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls a task until it leaves PENDING/PROCESSING, and returns it. */
    public JsonNode awaitTask(String taskId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode t = ok("GET", "/v1/tasks/" + taskId, null);
            String status = t.path("status").asText();
            if (!status.equals("PENDING") && !status.equals("PROCESSING")) return t;
            if (System.nanoTime() > deadline) fail("task " + taskId + " still " + status + " after " + timeout + ": " + t);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
