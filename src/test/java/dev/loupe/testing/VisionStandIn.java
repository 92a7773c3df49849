package dev.loupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.api.Json;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * An OpenAI-compatible chat-completions server for flow tests: it looks at the image each
 * request carries and answers what {@code answer} makes of it, in the documented response
 * shape with token usage. The protocol itself is held to the provider's documentation by the
 * provider package's own stand-ins; this one plays a model whose answers depend on the picture.
 */
public final class VisionStandIn implements AutoCloseable {
    /** What the model was asked: the request as sent, its instruction text and its first image. */
    public record Asked(JsonNode request, String instruction, BufferedImage image) {
    }

    private final HttpServer server;
    private final Function<Asked, String> answer;
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile long delayMillis;

    public VisionStandIn(Function<Asked, String> answer) {
        this.answer = answer;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/v1/chat/completions", this::complete);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The base URL to configure ({@code --vlm-url}). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Every answer waits this long first, as a slow provider does. */
    public VisionStandIn delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public List<JsonNode> requests() {
        return List.copyOf(requests);
    }

    /** The most requests that were ever answered at the same time. */
    public int mostInFlight() {
        return mostInFlight.get();
    }

    private void complete(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            JsonNode request = Json.read(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            requests.add(request);
            if (delayMillis > 0) Thread.sleep(delayMillis);
            StringBuilder instruction = new StringBuilder();
            BufferedImage image = null;
            for (JsonNode message : request.path("messages")) {
                JsonNode content = message.path("content");
                if (content.isTextual()) instruction.append(content.asText()).append('\n');
                for (JsonNode part : content) {
                    if ("text".equals(part.path("type").asText())) instruction.append(part.path("text").asText()).append('\n');
                    String url = part.path("image_url").path("url").asText("");
                    if (image == null && url.startsWith("data:image/jpeg;base64,")) {
                        image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1))));
                    }
                }
            }
            String content = answer.apply(new Asked(request, instruction.toString(), image));
            ObjectNode body = Json.object();
            body.put("id", "chatcmpl-standin").put("object", "chat.completion").put("created", System.currentTimeMillis() / 1000)
                    .put("model", request.path("model").asText());
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            int prompt = instruction.length() / 4 + (image == null ? 0 : 85), completion = content.length() / 4 + 1;
            body.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion).put("total_tokens", prompt + completion);
            byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The {@link Images#BASIC} colour nearest to the image's mean colour. */
    public static String dominantColour(BufferedImage image) {
        long r = 0, g = 0, b = 0;
        int n = 0;
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                int rgb = image.getRGB(x, y);
                r += (rgb >> 16) & 255;
                g += (rgb >> 8) & 255;
                b += rgb & 255;
                n++;
            }
        }
        String best = null;
        double bestDistance = Double.MAX_VALUE;
        for (var e : Images.BASIC.entrySet()) {
            double dr = r / (double) n - e.getValue().getRed(), dg = g / (double) n - e.getValue().getGreen(), db = b / (double) n - e.getValue().getBlue();
            double d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getKey();
            }
        }
        return best;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
