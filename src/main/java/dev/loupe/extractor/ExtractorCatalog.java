package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Collection;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.ModelUnavailableException;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.inference.face.FaceModels;
import dev.loupe.inference.ocr.OcrEngine;
import dev.loupe.provider.VertexEmbeddings;
import dev.loupe.provider.VisionModel;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The extractors this Loupe offers, by name and version, bound to the configured
 * models. Configuring one loads its models, so a missing model is reported when a
 * collection is created, not later during ingestion. Each configuration's extractor is
 * one instance while its models are, so that ingestion batches every collection's inputs
 * for one model together.
 */
public final class ExtractorCatalog implements AutoCloseable {
    private final ModelRepository models;
    private final String imageModel;
    private final FaceModelNames faceModelNames;
    private final DualEncoders dualEncoders;
    private final FaceModels faceModels;
    private final String multimodalModel;
    private final Optional<VisionModel> vision;
    private final Optional<VertexEmbeddings> vertex;
    private OcrEngine ocr;
    private MultimodalExtractor multimodal;
    private ImageExtractor image;
    private final Map<FaceIdentityExtractor.DetectionModel, FaceIdentityExtractor> faces = new EnumMap<>(FaceIdentityExtractor.DetectionModel.class);

    /**
     * Which catalogue models serve {@code face_identity_extractor}: a detector per
     * {@code detection_model} and one recogniser. The defaults are insightface's packs as
     * Immich exports them (SCRFD-500MF in buffalo_s, 2.5GF in buffalo_m, 10GF in buffalo_l;
     * buffalo_l's ResNet50 ArcFace recogniser); an operator manifest of the same name replaces one.
     */
    public record FaceModelNames(Map<FaceIdentityExtractor.DetectionModel, String> detectors, String recognizer) {
        public static final FaceModelNames DEFAULT = new FaceModelNames(Map.of(
                FaceIdentityExtractor.DetectionModel.SCRFD_500M, "buffalo_s",
                FaceIdentityExtractor.DetectionModel.SCRFD_2_5G, "buffalo_m",
                FaceIdentityExtractor.DetectionModel.SCRFD_10G, "buffalo_l"), "buffalo_l");

        public FaceModelNames {
            detectors = Map.copyOf(detectors);
        }
    }

    /** An extractor and the parameters a collection gives it, validated and with defaults filled in. */
    public record Configured(FeatureExtractor extractor, ObjectNode parameters) {
    }

    /** The {@code --multimodal-model} that chooses Vertex AI's multimodal embeddings over a local dual encoder. */
    public static final String VERTEX = "vertex";

    public ExtractorCatalog(ModelRepository models, String imageModel) {
        this(models, imageModel, FaceModelNames.DEFAULT);
    }

    public ExtractorCatalog(ModelRepository models, String imageModel, FaceModelNames faceModelNames) {
        this(models, imageModel, faceModelNames, imageModel, Optional.empty(), Optional.empty());
    }

    /**
     * @param multimodalModel the dual encoder of {@code multimodal_extractor}'s cross-modal embedding, or
     *                        {@value #VERTEX} for Vertex AI's ({@code vertex} must then be given)
     * @param vision          the vision-language model provider of descriptions and structured fields, if configured
     * @param vertex          Vertex AI's multimodal embeddings, if configured
     */
    public ExtractorCatalog(ModelRepository models, String imageModel, FaceModelNames faceModelNames, String multimodalModel,
                            Optional<VisionModel> vision, Optional<VertexEmbeddings> vertex) {
        // Settings tells the operator which flags are missing; this guards other callers.
        if (multimodalModel.equals(VERTEX) && vertex.isEmpty()) throw new IllegalArgumentException("multimodal model 'vertex' needs a Vertex client");
        this.models = models;
        this.multimodalModel = multimodalModel;
        this.vision = vision;
        this.vertex = vertex;
        this.imageModel = imageModel;
        this.faceModelNames = faceModelNames;
        this.dualEncoders = new DualEncoders(models);
        this.faceModels = new FaceModels(models);
    }

    public static List<String> names() {
        return List.of(ImageExtractor.NAME + "@" + ImageExtractor.VERSION, FaceIdentityExtractor.NAME + "@" + FaceIdentityExtractor.VERSION,
                MultimodalExtractor.NAME + "@" + MultimodalExtractor.VERSION);
    }

    /**
     * The offered extractors as the catalogue describes them. The configured model's manifest
     * says its dimension without loading (or downloading) it; a model installed by hand with
     * no manifest is asked itself.
     */
    public List<ExtractorDescription> describe() {
        int dimension = models.catalog().find(imageModel).map(m -> m.embeddingDimension())
                .orElseGet(() -> image().encoder().dimension());
        int crossModal = models.catalog().find(multimodalModel).map(m -> m.embeddingDimension())
                .orElseGet(() -> multimodal().embedder().dimension());
        return List.of(ImageExtractor.describe(dimension, imageModel), FaceIdentityExtractor.describe(faceModelNames.recognizer()),
                MultimodalExtractor.describe(crossModal, multimodalModel.equals(VERTEX) ? CrossModalEncoder.Vertex.NAME : multimodalModel));
    }

    /**
     * Validates an extractor's name, version and parameters (422 naming the field) and loads
     * the models those parameters choose (503 when one is missing).
     */
    public Configured configure(String name, String version, JsonNode parameters, String path) {
        String v = version == null ? "v1" : version;
        return switch (name) {
            case ImageExtractor.NAME -> {
                checkVersion(ImageExtractor.NAME, ImageExtractor.VERSION, v, path);
                ImageExtractor extractor = image();
                yield new Configured(extractor, extractor.validateParameters(parameters, path + ".parameters"));
            }
            case FaceIdentityExtractor.NAME -> {
                checkVersion(FaceIdentityExtractor.NAME, FaceIdentityExtractor.VERSION, v, path);
                ObjectNode params = FaceIdentityExtractor.validate(parameters, path + ".parameters");
                yield new Configured(face(FaceIdentityExtractor.Options.of(params).detectionModel()), params);
            }
            case MultimodalExtractor.NAME -> {
                checkVersion(MultimodalExtractor.NAME, MultimodalExtractor.VERSION, v, path);
                MultimodalExtractor extractor = multimodal();
                ObjectNode params = extractor.validateParameters(parameters, path + ".parameters");
                // Load what the parameters use now, so that a missing model is a 503 at creation, not a failed object.
                if (extractor.options(params).embedding()) extractor.embedder().dimension();
                yield new Configured(extractor, params);
            }
            default -> throw LoupeException.invalid(path + ".feature_extractor_name", "unknown feature extractor '" + name + "'; available: " + names());
        };
    }

    private static void checkVersion(String name, String offered, String asked, String path) {
        if (!offered.equals(asked)) throw LoupeException.invalid(path + ".version", name + " has version " + offered + " only, got '" + asked + "'");
    }

    /**
     * The extractor a collection is configured with, bound to its models. Its parameters were
     * validated when the collection was made, so they are not checked again: this runs for every
     * ingested item and every query.
     */
    public FeatureExtractor of(Collection.ExtractorConfig config) {
        return switch (config.featureExtractorName()) {
            case ImageExtractor.NAME -> image();
            case FaceIdentityExtractor.NAME -> face(FaceIdentityExtractor.Options.of(config.parameters()).detectionModel());
            case MultimodalExtractor.NAME -> multimodal();
            default -> throw LoupeException.invalid("feature_extractor.feature_extractor_name", "unknown feature extractor '"
                    + config.featureExtractorName() + "'; available: " + names());
        };
    }

    public synchronized ImageExtractor image() {
        DualEncoder encoder;
        try {
            encoder = dualEncoders.encoder(imageModel);
        } catch (ModelUnavailableException e) {
            throw LoupeException.unavailable(e.getMessage());
        }
        if (image == null || image.encoder() != encoder) image = new ImageExtractor(encoder);
        return image;
    }

    /**
     * The one multimodal extractor: its dual encoder and OCR engine load on first use (a
     * missing model is a 503 then), its provider is the configured one.
     */
    public synchronized MultimodalExtractor multimodal() {
        if (multimodal == null) {
            CrossModalEncoder embedder = vertex.<CrossModalEncoder>map(CrossModalEncoder.Vertex::new)
                    .filter(v -> multimodalModel.equals(VERTEX))
                    .orElseGet(() -> new CrossModalEncoder.Local(this::multimodalEncoder));
            multimodal = new MultimodalExtractor(embedder, this::ocr, vision);
        }
        return multimodal;
    }

    private DualEncoder multimodalEncoder() {
        try {
            return dualEncoders.encoder(multimodalModel);
        } catch (ModelUnavailableException e) {
            throw LoupeException.unavailable(e.getMessage());
        }
    }

    private synchronized OcrEngine ocr() {
        if (ocr == null) ocr = OcrEngine.bundled();
        return ocr;
    }

    /** The face extractor for one detection model, with the configured recogniser. */
    public synchronized FaceIdentityExtractor face(FaceIdentityExtractor.DetectionModel detectionModel) {
        FaceIdentityExtractor known = faces.get(detectionModel);
        if (known != null) return known;
        try {
            FaceIdentityExtractor made = new FaceIdentityExtractor(detectionModel,
                    faceModels.pipeline(faceModelNames.detectors().get(detectionModel), faceModelNames.recognizer()));
            faces.put(detectionModel, made);
            return made;
        } catch (ModelUnavailableException e) {
            throw LoupeException.unavailable(e.getMessage());
        }
    }

    @Override
    public void close() {
        dualEncoders.close();
        faceModels.close();
        synchronized (this) {
            if (ocr != null) ocr.close();
        }
        vertex.ifPresent(VertexEmbeddings::close);
        vision.ifPresent(v -> {
            try {
                v.close();
            } catch (Exception e) {
                java.util.logging.Logger.getLogger(ExtractorCatalog.class.getName()).log(java.util.logging.Level.WARNING, "closing the provider client failed", e);
            }
        });
    }
}
