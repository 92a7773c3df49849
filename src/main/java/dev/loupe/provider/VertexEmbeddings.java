package dev.loupe.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * Vertex AI's multimodal embeddings ({@code multimodalembedding@001}): images and texts in one
 * space, so a text query finds images. {@code POST .../multimodalembedding@001:predict} with a
 * bearer token and {@code {instances: [{image: {bytesBase64Encoded, mimeType}}] | [{text}],
 * parameters: {dimension}}}; the vector is {@code predictions[0].imageEmbedding} or
 * {@code textEmbedding}. The service reads at most 32 tokens of a text; this client sends at
 * most {@value #MAX_TEXT_CHARS} characters of it. Calls go through the same {@link Transport}
 * as the chat models: timeouts, concurrency bound, retries.
 */
public final class VertexEmbeddings implements AutoCloseable {
    static final int MAX_TEXT_CHARS = 1024;
    private final VertexSettings settings;
    private final Transport transport;

    public VertexEmbeddings(VertexSettings settings) {
        this.settings = settings;
        this.transport = new Transport(describe(settings), settings.calls());
    }

    private static String describe(VertexSettings s) {
        return "vertex multimodalembedding@001 (" + s.dimension() + "-d) at " + s.baseUrl();
    }

    public String describe() {
        return describe(settings);
    }

    public int dimension() {
        return settings.dimension();
    }

    public float[] embedImage(BufferedImage image) {
        ObjectNode instance = Json.object();
        instance.putObject("image").put("bytesBase64Encoded", InlineJpeg.base64(image, settings.imageMaxSide())).put("mimeType", "image/jpeg");
        return predict(instance, "imageEmbedding");
    }

    public float[] embedText(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("no text to embed");
        String sent = text.length() > MAX_TEXT_CHARS ? text.substring(0, MAX_TEXT_CHARS) : text;
        return predict(Json.object().put("text", sent), "textEmbedding");
    }

    private float[] predict(ObjectNode instance, String field) {
        ObjectNode body = Json.object();
        body.putArray("instances").add(instance);
        body.putObject("parameters").put("dimension", settings.dimension());
        Map<String, String> auth = Map.of("Authorization", "Bearer " + settings.currentToken().reveal());
        JsonNode reply = transport.post(settings.endpoint(), auth, body).body();
        JsonNode vector = reply.path("predictions").path(0).path(field);
        if (!vector.isArray() || vector.size() != settings.dimension()) {
            throw new ProviderException(describe(), "the reply has no " + settings.dimension() + "-d predictions[0]." + field
                    + (vector.isArray() ? " (it has " + vector.size() + " values)" : ""));
        }
        float[] out = new float[vector.size()];
        for (int i = 0; i < out.length; i++) {
            if (!vector.get(i).isNumber()) throw new ProviderException(describe(), "predictions[0]." + field + "[" + i + "] is not a number");
            out[i] = (float) vector.get(i).asDouble();
        }
        return out;
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
