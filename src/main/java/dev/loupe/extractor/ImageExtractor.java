package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.inference.DualEncoder;
import dev.loupe.media.Thumbnailer;
import java.awt.image.BufferedImage;
import java.util.List;

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

    public static boolean thumbnailsEnabled(JsonNode parameters) {
        return parameters == null || parameters.path("enable_thumbnails").asBoolean(true);
    }

    @Override
    public ObjectNode outputSchema() {
        ObjectNode props = Json.object();
        props.putObject(EMBEDDING_FIELD).put("type", "array").put("description",
                "L2-normalised image embedding (" + encoder.dimension() + "-d, model " + encoder.name() + ")");
        props.putObject("thumbnail_url").put("type", "string").put("description", "640 px wide JPEG thumbnail");
        props.putObject("processing_time_ms").put("type", "number");
        return props;
    }

    @Override
    public List<VectorIndexSpec> vectorIndexes() {
        return List.of(new VectorIndexSpec(EMBEDDING_FIELD, EMBEDDING_FIELD, featureUri("embedding"),
                encoder.dimension(), "cosine", encoder.name()));
    }

    /** Embeds a batch of upright images; row i is image i's vector. */
    public float[][] embed(List<BufferedImage> images) {
        return encoder.embedImages(images);
    }

    public static byte[] thumbnail(BufferedImage upright) {
        return Thumbnailer.jpeg(upright);
    }

    /** Rejects configurations that cannot work, at collection creation rather than at ingestion. */
    public static void checkInputMappings(JsonNode mappings, String path) {
        if (mappings == null || !mappings.has(INPUT)) {
            throw ApiException.invalid(path + "." + INPUT, "image_extractor needs an 'image' input mapping (e.g. \"payload.image_url\")");
        }
    }
}
