package dev.loupe.extractor;

import dev.loupe.api.ApiException;
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

    public ExtractorCatalog(ModelRepository models, String imageModel) {
        this.models = models;
        this.imageModel = imageModel;
    }

    public static List<String> names() {
        return List.of(ImageExtractor.NAME + "@" + ImageExtractor.VERSION);
    }

    public FeatureExtractor require(String name, String version, String path) {
        if (!ImageExtractor.NAME.equals(name)) {
            throw new ApiException(404, "NotFoundError", "unknown feature extractor '" + name + "'; available: " + names(),
                    java.util.Map.of("field", path + ".feature_extractor_name"));
        }
        String v = version == null ? ImageExtractor.VERSION : version;
        if (!ImageExtractor.VERSION.equals(v)) {
            throw ApiException.invalid(path + ".version", "image_extractor has version v1 only, got '" + v + "'");
        }
        return image();
    }

    public ImageExtractor image() {
        try {
            return new ImageExtractor(models.dualEncoder(imageModel));
        } catch (ModelUnavailableException e) {
            throw ApiException.unavailable(e.getMessage());
        }
    }
}
