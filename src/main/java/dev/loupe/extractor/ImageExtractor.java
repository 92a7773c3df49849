package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Thumbnailer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code image_extractor} v1: one document per image with the image tower's
 * L2-normalised embedding ({@code image_extractor_v1_embedding}, 768-d for SigLIP
 * base) and, unless {@code enable_thumbnails} is false, a 640 px wide JPEG thumbnail.
 * Text queries against its index go through the same model's text tower.
 */
public final class ImageExtractor implements FeatureExtractor {
    public static final String NAME = "image_extractor";
    public static final String VERSION = "v1";
    public static final String EMBEDDING_FIELD = "image_extractor_v1_embedding";
    public static final String INPUT = "image";

    private final DualEncoder encoder;

    public ImageExtractor(DualEncoder encoder) {
        this.encoder = encoder;
    }

    public DualEncoder encoder() {
        return encoder;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String version() {
        return VERSION;
    }

    @Override
    public List<String> requiredInputs() {
        return List.of(INPUT);
    }

    @Override
    public ObjectNode validateParameters(JsonNode parameters, String path) {
        Body p = Body.of(parameters, path);
        ObjectNode out = Json.object();
        out.put("extractor_type", NAME);
        p.optionalString("extractor_type").ifPresent(t -> {
            if (!t.equals(NAME)) throw p.invalid("extractor_type", "must be '" + NAME + "', got '" + t + "'");
        });
        out.put("enable_thumbnails", p.optionalBoolean("enable_thumbnails").orElse(true));
        out.put("use_cdn", p.optionalBoolean("use_cdn").orElse(false));
        return out;
    }

    @Override
    public ObjectNode outputSchema() {
        return outputSchema(encoder.dimension(), encoder.name());
    }

    private static ObjectNode outputSchema(int dimension, String model) {
        ObjectNode props = Json.object();
        props.putObject(EMBEDDING_FIELD).put("type", "array").put("description",
                "L2-normalised image embedding (" + dimension + "-d, model " + model + ")");
        props.putObject("thumbnail_url").put("type", "string").put("description", "640 px wide JPEG thumbnail");
        props.putObject("processing_time_ms").put("type", "number");
        return props;
    }

    @Override
    public List<VectorIndexSpec> vectorIndexes() {
        return vectorIndexes(encoder.dimension(), encoder.name());
    }

    private static List<VectorIndexSpec> vectorIndexes(int dimension, String model) {
        return List.of(new VectorIndexSpec(EMBEDDING_FIELD, EMBEDDING_FIELD, "mixpeek://" + NAME + "@" + VERSION + "/embedding",
                dimension, "cosine", model,
                "Image embeddings of " + model + " for text-to-image and image-to-image search", "google_siglip_base_v1"));
    }

    /** The catalogue entry, for a model of {@code dimension} named {@code model}, without loading it. */
    public static ExtractorDescription describe(int dimension, String model) {
        ObjectNode input = Json.object().put("type", "object");
        input.putObject("properties").putObject(INPUT).put("type", "string")
                .put("description", "the image: a blob property of the source bucket (e.g. \"payload.image_url\") or an upstream document field");
        input.putArray("required").add(INPUT);
        ObjectNode params = Json.object().put("type", "object").put("additionalProperties", false);
        ObjectNode pp = params.putObject("properties");
        pp.putObject("extractor_type").put("type", "string").put("const", NAME).put("default", NAME);
        pp.putObject("enable_thumbnails").put("type", "boolean").put("default", true)
                .put("description", "write a 640 px wide JPEG thumbnail and its thumbnail_url");
        pp.putObject("use_cdn").put("type", "boolean").put("default", false)
                .put("description", "accepted for compatibility; thumbnails are served by Loupe itself");
        ObjectNode defaults = Json.object().put("extractor_type", NAME).put("enable_thumbnails", true).put("use_cdn", false);
        return new ExtractorDescription(NAME, VERSION,
                "One document per image with a " + dimension + "-d L2-normalised embedding of model " + model
                        + " for text-to-image and image-to-image search, and a 640 px thumbnail.",
                input, params, defaults, outputSchema(dimension, model), List.of("image"), vectorIndexes(dimension, model));
    }

    @Override
    public DecodeSize decodeSize(JsonNode parameters) {
        var model = encoder.preprocessing();
        int width = Options.of(parameters).thumbnails() ? Math.max(Thumbnailer.WIDTH, model.width()) : model.width();
        return new DecodeSize(width, model.height());
    }

    /** The image tower's tensor and, unless turned off, the thumbnail. */
    @Override
    public Input prepare(ImageDecoder.Decoded decoded, JsonNode parameters) {
        BufferedImage upright = decoded.image();
        byte[] thumbnail = Options.of(parameters).thumbnails() ? Thumbnailer.jpeg(upright) : null;
        return new Input(encoder.imageTensor(upright), thumbnail);
    }

    /** One document per input, all embedded in one model call. */
    @Override
    public List<List<ExtractedDocument>> extract(List<PreparedInput> batch) {
        List<Input> inputs = batch.stream().map(ImageExtractor::own).toList();
        float[][] vectors = encoder.embedImageTensors(inputs.stream().map(Input::tensor).toList());
        List<List<ExtractedDocument>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            byte[] thumbnail = inputs.get(i).thumbnail();
            List<ExtractedDocument.Image> images = thumbnail == null ? List.of() : List.of(new ExtractedDocument.Image("thumbnail_url", thumbnail));
            out.add(List.of(new ExtractedDocument(Json.object(), Map.of(EMBEDDING_FIELD, vectors[i]), images)));
        }
        return out;
    }

    private static Input own(PreparedInput input) {
        return switch (input) {
            case Input in -> in;
            case FaceIdentityExtractor.Input other -> throw new IllegalArgumentException(NAME + " was handed an input prepared by " + FaceIdentityExtractor.NAME);
            case MultimodalExtractor.Input other -> throw new IllegalArgumentException(NAME + " was handed an input prepared by " + MultimodalExtractor.NAME);
        };
    }

    /** An image prepared for the image tower: its tensor, and its JPEG thumbnail when one is wanted. */
    public record Input(float[] tensor, byte[] thumbnail) implements PreparedInput {
    }

    /** The parameters ingestion reads, from their validated JSON (defaults for a collection stored before they existed). */
    record Options(boolean thumbnails) {
        static Options of(JsonNode parameters) {
            return new Options(parameters == null || parameters.path("enable_thumbnails").asBoolean(true));
        }
    }
}
