package dev.loupe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.provider.StandIn;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * An OpenAI-compatible chat-completions server for flow tests: it looks at the image each
 * request carries and answers what {@code answer} makes of it, in the documented response
 * shape with token usage. The protocol itself is held to the provider's documentation by the
 * provider package's tests on the same {@link StandIn}; this one plays a model whose answers
 * depend on the picture.
 */
public final class VisionStandIn implements AutoCloseable {
    /** What the model was asked: the request as sent, its instruction text and its first image. */
    public record Asked(JsonNode request, String instruction, BufferedImage image) {
    }

    private final StandIn server;
    private volatile Duration delay = Duration.ZERO;

    public VisionStandIn(Function<Asked, String> answer) {
        server = new StandIn(request -> {
            Asked asked = asked(request.body());
            String content = answer.apply(asked);
            int prompt = asked.instruction().length() / 4 + (asked.image() == null ? 0 : 85);
            return StandIn.Answer.ok(StandIn.openAiCompletion(content, prompt, content.length() / 4 + 1)).after(delay);
        });
    }

    private static Asked asked(JsonNode request) {
        StringBuilder instruction = new StringBuilder();
        BufferedImage image = null;
        for (JsonNode message : request.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isTextual()) instruction.append(content.asText()).append('\n');
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asText())) instruction.append(part.path("text").asText()).append('\n');
                String url = part.path("image_url").path("url").asText("");
                if (image == null && url.startsWith("data:image/jpeg;base64,")) image = StandIn.jpeg(url.substring(url.indexOf(',') + 1));
            }
        }
        return new Asked(request, instruction.toString(), image);
    }

    /** The base URL to configure ({@code --vlm-url}). */
    public String url() {
        return server.url() + "/v1";
    }

    /** Every answer waits this long first, as a slow provider does. */
    public VisionStandIn delay(long millis) {
        this.delay = Duration.ofMillis(millis);
        return this;
    }

    /** The bodies of the requests, in arrival order. */
    public List<JsonNode> requests() {
        return server.requests().stream().map(StandIn.Request::body).toList();
    }

    /** The most requests that were ever answered at the same time. */
    public int mostInFlight() {
        return server.mostInFlight();
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
        server.close();
    }
}
