package dev.loupe.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What a web page sends to a published retriever: requests with only {@code X-Public-API-Key}
 * (no API key), an {@code Origin}, and any other header a browser would add.
 */
public final class PublicClient {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public static final String ORIGIN = "http://shop.example";

    private final String base;
    private final String key;

    public PublicClient(String base, String key) {
        this.base = base;
        this.key = key;
    }

    /** Sends {@code method path} with the public key, an Origin, and {@code headers} (name, value, ...). */
    public HttpResponse<String> send(String method, String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("Origin", ORIGIN);
        if (key != null) b.header("X-Public-API-Key", key);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        if (json != null) b.header("Content-Type", "application/json");
        b.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> execute(String publicName, String json, String... headers) {
        return send("POST", "/v1/public/retrievers/" + publicName + "/execute", json, headers);
    }
}
