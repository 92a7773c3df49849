package dev.loupe.extractor;

import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Collection;
import dev.loupe.inference.DualEncoder;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.ModelUnavailableException;
import java.util.List;

/**
 * The extractors this Loupe offers, by name and version, bound to the configured
 * models. Looking one up loads its model, so a missing model is reported when a
 * collection is created, not later during ingestion.
 */
public final class ExtractorCatalog {
    private final ModelRepository models;
    private final String imageModel;
    private ImageExtractor image;

    public ExtractorCatalog(ModelRepository models, String imageModel) {
        this.models = models;
        this.imageModel = imageModel;
    }

    public static List<String> names() {
        return List.of(ImageExtractor.NAME + "@" + ImageExtractor.VERSION);
    }

    /**
     * The offered extractors as the catalogue describes them. The configured model's manifest
     * says its dimension without loading (or downloading) it; a model installed by hand with
     * no manifest is asked itself.
     */
    public List<ExtractorDescription> describe() {
        int dimension = models.catalog().find(imageModel).map(m -> m.embeddingDimension())
                .orElseGet(() -> image().encoder().dimension());
        return List.of(ImageExtractor.describe(dimension, imageModel));
    }

    public FeatureExtractor require(String name, String version, String path) {
        if (!ImageExtractor.NAME.equals(name)) {
            throw LoupeException.invalid(path + ".feature_extractor_name", "unknown feature extractor '" + name + "'; available: " + names());
        }
        String v = version == null ? ImageExtractor.VERSION : version;
        if (!ImageExtractor.VERSION.equals(v)) {
            throw LoupeException.invalid(path + ".version", "image_extractor has version v1 only, got '" + v + "'");
        }
        return image();
    }

    /** The extractor a collection is configured with, bound to its models. */
    public FeatureExtractor of(Collection.ExtractorConfig config) {
        return require(config.featureExtractorName(), config.version(), "feature_extractor");
    }

    /**
     * The image extractor on the configured model; the same instance while the model is,
     * so that ingestion batches every collection's inputs for one model together.
     */
    public synchronized ImageExtractor image() {
        DualEncoder encoder;
        try {
            encoder = models.dualEncoder(imageModel);
        } catch (ModelUnavailableException e) {
            throw LoupeException.unavailable(e.getMessage());
        }
        if (image == null || image.encoder() != encoder) image = new ImageExtractor(encoder);
        return image;
    }
}
