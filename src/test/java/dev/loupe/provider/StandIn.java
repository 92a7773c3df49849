package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.api.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * A loopback stand-in for a model provider: it records every request (with its arrival time
 * and how many were in flight) and answers each with what the test's function returns for it.
 * Requests are checked in the test's thread afterwards, from {@link #requests()}. Public, with
 * each protocol's documented reply builders, so that tests elsewhere (the extractor's) can run
 * the real clients against it.
 */
public final class StandIn implements AutoCloseable {
    /** A request as it arrived; {@code index} counts from 0 in arrival order. */
    public record Request(int index, String method, String path, String rawQuery, Map<String, String> headers, JsonNode body, long arrivedNanos) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** What to answer, after {@code delay}. */
    public record Answer(int status, Map<String, String> headers, String body, Duration delay) {
        public static Answer json(int status, JsonNode body) {
            return new Answer(status, Map.of("Content-Type", "application/json"), Json.write(body), Duration.ZERO);
        }

        public static Answer ok(JsonNode body) {
            return json(200, body);
        }

        public static Answer raw(int status, String contentType, String body) {
            return new Answer(status, Map.of("Content-Type", contentType), body, Duration.ZERO);
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body, delay);
        }

        public Answer after(Duration wait) {
            return new Answer(status, headers, body, wait);
        }
    }

    private final HttpServer server;
    private final Function<Request, Answer> answers;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger arrivals = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();

    public StandIn(Function<Request, Answer> answers) {
        this.answers = answers;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange);
            } catch (IOException | RuntimeException e) {
                // the client gave up (a timeout test): nothing to answer
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** Answers the i-th request with {@code script[i]}, the last one from then on. */
    public static StandIn scripted(Answer... script) {
        return new StandIn(r -> script[Math.min(r.index(), script.length - 1)]);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The most requests that were being handled at one moment. */
    public int mostInFlight() {
        return mostInFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        try {
            long arrived = System.nanoTime();
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(bytes);
            } catch (IOException e) {
                body = Json.object().put("not_json", new String(bytes, StandardCharsets.UTF_8));
            }
            Request request = new Request(arrivals.getAndIncrement(), exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), headers, body, arrived);
            requests.add(request);
            Answer answer = answers.apply(request);
            if (!answer.delay().isZero()) Thread.sleep(answer.delay());
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) exchange.getResponseBody().write(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** OpenAI's chat completion object with one choice. */
    public static ObjectNode openAiCompletion(String content, int promptTokens, int completionTokens) {
        ObjectNode body = Json.object().put("id", "chatcmpl-1").put("object", "chat.completion").put("model", "gpt-4o-mini");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content).putNull("refusal");
        body.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens).put("total_tokens", promptTokens + completionTokens);
        return body;
    }

    /** Gemini's GenerateContentResponse with one candidate; a leading thought part when {@code thought}. */
    public static ObjectNode geminiResponse(String text, boolean thought, int promptTokens, int candidateTokens) {
        ObjectNode body = Json.object();
        ObjectNode candidate = body.putArray("candidates").addObject().put("finishReason", "STOP").put("index", 0);
        com.fasterxml.jackson.databind.node.ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
        if (thought) parts.addObject().put("text", "Let me look at the colours first.").put("thought", true);
        parts.addObject().put("text", text);
        body.putObject("usageMetadata").put("promptTokenCount", promptTokens).put("candidatesTokenCount", candidateTokens)
                .put("totalTokenCount", promptTokens + candidateTokens);
        return body.put("modelVersion", "gemini-2.5-flash");
    }

    /** Ollama's final (non-streamed) chat reply. */
    public static ObjectNode ollamaResponse(String content, int promptEval, int eval) {
        ObjectNode body = Json.object().put("model", "qwen2.5vl:7b").put("created_at", "2026-12-02T12:00:00Z");
        body.putObject("message").put("role", "assistant").put("content", content);
        return body.put("done", true).put("done_reason", "stop").put("total_duration", 4_883_583_458L)
                .put("prompt_eval_count", promptEval).put("eval_count", eval);
    }

    // ---- fixtures shared by the protocol tests ----

    /** A 3000×1500 picture, larger than the 1024 px bound, so every test sees it scaled. */
    public static BufferedImage photo() {
        BufferedImage image = new BufferedImage(3000, 1500, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < image.getHeight(); y += 1) {
            for (int x = 0; x < image.getWidth(); x += 1) {
                image.setRGB(x, y, 0xff000000 | ((x * 255 / 3000) << 16) | ((y * 255 / 1500) << 8) | 0x40);
            }
        }
        return image;
    }

    /** Decodes base64 that must be a JPEG, and returns it. */
    public static BufferedImage jpeg(String base64) {
        byte[] bytes = Base64.getDecoder().decode(base64);
        if ((bytes[0] & 0xff) != 0xff || (bytes[1] & 0xff) != 0xd8) throw new AssertionError("not a JPEG (no SOI marker)");
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) throw new AssertionError("the JPEG does not decode");
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A product schema with one optional property ({@code brand}) and an enum. */
    public static ObjectNode productSchema() {
        return (ObjectNode) Json.read("""
                {"type": "object",
                 "properties": {
                   "product_type": {"type": "string", "description": "what the product is"},
                   "color": {"type": "string", "enum": ["red", "green", "blue", "black", "white"]},
                   "brand": {"type": "string", "maxLength": 40},
                   "tags": {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}}, "required": ["label"]}}
                 },
                 "required": ["product_type", "color", "tags"]}""");
    }

    public static ProviderSettings settings(ProviderSettings.Kind kind, URI url, String model, String key, CallPolicy calls) {
        return new ProviderSettings(kind, url, model, java.util.Optional.ofNullable(key).map(Secret::of), ProviderSettings.DEFAULT_IMAGE_MAX_SIDE, calls);
    }

    /** Short timeouts and backoff, so failure tests take a moment; three attempts. */
    public static CallPolicy quick() {
        return CallPolicy.DEFAULT.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)).withLimits(4, 3)
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(5));
    }
}
