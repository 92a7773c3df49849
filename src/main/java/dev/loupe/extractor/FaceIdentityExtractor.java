package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.inference.face.Face;
import dev.loupe.inference.face.FaceBox;
import dev.loupe.inference.face.FaceOptions;
import dev.loupe.inference.face.FacePipeline;
import dev.loupe.inference.face.Landmarks;
import dev.loupe.inference.face.Point;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Thumbnailer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code face_identity_extractor} v1: SCRFD detection, five-point alignment onto ArcFace's
 * 112×112 template and a 512-d L2-normalised embedding
 * ({@code face_identity_extractor_v1_embedding}) per face. {@code per_face} (the default)
 * writes one document per face, numbered by {@code face_index} in the detector's order (most
 * prominent first when {@code max_faces_per_image} cuts the list); {@code per_image} writes one
 * document per image with a {@code faces} array, searchable by its most prominent face. An
 * image without faces gives no {@code per_face} document.
 *
 * <p>Coordinates are in the pixels of the upright source image (EXIF orientation applied),
 * whatever resolution it was decoded at. Video parameters ({@code max_video_length},
 * {@code video_sampling_fps}, {@code video_deduplication*}) are accepted and validated but do
 * not apply to images.
 */
public final class FaceIdentityExtractor implements FeatureExtractor {
    public static final String NAME = "face_identity_extractor";
    public static final String VERSION = "v1";
    public static final String EMBEDDING_FIELD = "face_identity_extractor_v1_embedding";
    public static final String INPUT = "image";
    public static final int DIMENSION = 512;
    /**
     * Images are decoded so that their shorter side keeps at least this many pixels (the
     * decoder may keep up to twice that): enough for the 640 px detector and for crops of small
     * faces, and a bound on the memory an image in flight holds.
     */
    public static final int DECODE_SIDE = 1280;
    private static final float CROP_QUALITY = 0.9f;

    /** SCRFD detectors Mixpeek names; each is a model of Loupe's catalogue. */
    public enum DetectionModel {
        SCRFD_500M("scrfd_500m"), SCRFD_2_5G("scrfd_2.5g"), SCRFD_10G("scrfd_10g");

        public final String wire;

        DetectionModel(String wire) {
            this.wire = wire;
        }

        static DetectionModel of(String wire) {
            for (DetectionModel m : values()) if (m.wire.equals(wire)) return m;
            return null;
        }
    }

    public enum OutputMode {PER_FACE, PER_IMAGE}

    /** The validated parameters, typed. {@code maxFaces} and {@code qualityThreshold} are null when unset. */
    public record Options(DetectionModel detectionModel, int minFaceSize, float detectionThreshold, Integer maxFaces,
                          boolean normalizeEmbeddings, boolean qualityScoring, Double qualityThreshold, OutputMode outputMode,
                          boolean faceCrops, boolean sourceThumbnail, boolean detectionMetadata) {

        /** From parameters {@link #validateParameters} filled in (a collection's stored parameters). */
        public static Options of(JsonNode p) {
            JsonNode max = p.path("max_faces_per_image"), quality = p.path("quality_threshold");
            DetectionModel model = DetectionModel.of(p.path("detection_model").asText(DetectionModel.SCRFD_2_5G.wire));
            return new Options(model == null ? DetectionModel.SCRFD_2_5G : model,
                    p.path("min_face_size").asInt(20), (float) p.path("detection_threshold").asDouble(0.5),
                    max.isNumber() ? max.asInt() : null, p.path("normalize_embeddings").asBoolean(true),
                    p.path("enable_quality_scoring").asBoolean(true), quality.isNumber() ? quality.asDouble() : null,
                    "per_image".equals(p.path("output_mode").asText()) ? OutputMode.PER_IMAGE : OutputMode.PER_FACE,
                    p.path("include_face_crops").asBoolean(false), p.path("include_source_frame_thumbnail").asBoolean(false),
                    p.path("store_detection_metadata").asBoolean(true));
        }
    }

    private final DetectionModel detectionModel;
    private final FacePipeline pipeline;

    /** The extractor for one detection model; collections of another detection model get another instance. */
    public FaceIdentityExtractor(DetectionModel detectionModel, FacePipeline pipeline) {
        this.detectionModel = detectionModel;
        this.pipeline = pipeline;
    }

    public DetectionModel detectionModel() {
        return detectionModel;
    }

    public FacePipeline pipeline() {
        return pipeline;
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
        return validate(parameters, path);
    }

    /** Validates without models, so that a collection's parameters are checked before its models load. */
    static ObjectNode validate(JsonNode parameters, String path) {
        Body p = Body.of(parameters == null ? Json.object() : parameters, path);
        ObjectNode out = Json.object();
        out.put("extractor_type", NAME);
        p.optionalString("extractor_type").ifPresent(t -> {
            if (!t.equals(NAME)) throw p.invalid("extractor_type", "must be '" + NAME + "', got '" + t + "'");
        });
        String model = p.optionalString("detection_model").orElse(DetectionModel.SCRFD_2_5G.wire);
        if (DetectionModel.of(model) == null) {
            throw p.invalid("detection_model", "must be one of scrfd_500m, scrfd_2.5g, scrfd_10g, got '" + model + "'");
        }
        out.put("detection_model", model);
        out.put("min_face_size", p.optionalInt("min_face_size", 10, 200).orElse(20));
        out.put("detection_threshold", fraction(p, "detection_threshold").orElse(0.5));
        p.optionalInt("max_faces_per_image", 1, Integer.MAX_VALUE).ifPresentOrElse(n -> out.put("max_faces_per_image", n),
                () -> out.putNull("max_faces_per_image"));
        out.put("normalize_embeddings", p.optionalBoolean("normalize_embeddings").orElse(true));
        out.put("enable_quality_scoring", p.optionalBoolean("enable_quality_scoring").orElse(true));
        fraction(p, "quality_threshold").ifPresentOrElse(q -> out.put("quality_threshold", q), () -> out.putNull("quality_threshold"));
        out.put("max_video_length", p.optionalInt("max_video_length", 1, 300).orElse(60));
        if (p.has("video_sampling_fps")) {
            double fps = p.optionalNumber("video_sampling_fps").orElseThrow();
            if (!(fps >= 0.1 && fps <= 60)) throw p.invalid("video_sampling_fps", "must be between 0.1 and 60, got " + fps);
            out.put("video_sampling_fps", fps);
        } else {
            out.put("video_sampling_fps", 1.0);
        }
        out.put("video_deduplication", p.optionalBoolean("video_deduplication").orElse(true));
        out.put("video_deduplication_threshold", fraction(p, "video_deduplication_threshold").orElse(0.8));
        out.put("output_mode", Body.wireName(p.choice("output_mode", OutputMode.PER_FACE)));
        out.put("include_face_crops", p.optionalBoolean("include_face_crops").orElse(false));
        out.put("include_source_frame_thumbnail", p.optionalBoolean("include_source_frame_thumbnail").orElse(false));
        out.put("store_detection_metadata", p.optionalBoolean("store_detection_metadata").orElse(true));
        for (var it = p.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!out.has(field)) throw p.invalid(field, "is not a parameter of " + NAME);
        }
        return out;
    }

    private static java.util.Optional<Double> fraction(Body p, String field) {
        java.util.Optional<Double> v = p.optionalNumber(field);
        v.ifPresent(x -> {
            if (!(x >= 0 && x <= 1)) throw p.invalid(field, "must be between 0 and 1, got " + x);
        });
        return v;
    }

    @Override
    public ObjectNode outputSchema() {
        return outputSchema(pipeline.embedder().name());
    }

    static ObjectNode outputSchema(String embeddingModel) {
        ObjectNode props = Json.object();
        props.putObject(EMBEDDING_FIELD).put("type", "array").put("description",
                "L2-normalised " + DIMENSION + "-d face embedding (model " + embeddingModel + ")");
        props.putObject("face_index").put("type", "integer").put("description", "the face's position among the image's faces, 0 first");
        props.putObject("bbox").put("type", "object").put("description", "x1, y1, x2, y2, width, height in the upright source image's pixels");
        props.putObject("detection_score").put("type", "number");
        props.putObject("landmarks").put("type", "object").put("description", "left_eye, right_eye, nose, mouth_left, mouth_right as {x, y}");
        props.putObject("quality_score").put("type", "number").put("description", "0..1: 0.4 sharpness + 0.3 size + 0.3 pose");
        props.putObject("quality_components").put("type", "object").put("description", "sharpness, size and pose, each 0..1");
        props.putObject("face_crop_url").put("type", "string").put("description", "the aligned 112×112 crop (include_face_crops)");
        props.putObject("detection_model").put("type", "string");
        props.putObject("embedding_model").put("type", "string");
        props.putObject("source_width").put("type", "integer").put("description", "Loupe: the upright source image's width, the space of bbox and landmarks");
        props.putObject("source_height").put("type", "integer").put("description", "Loupe: the upright source image's height");
        props.putObject("faces").put("type", "array").put("description", "output_mode per_image: every face of the image");
        props.putObject("processing_time_ms").put("type", "number");
        return props;
    }

    @Override
    public List<VectorIndexSpec> vectorIndexes() {
        return vectorIndexes(pipeline.embedder().name());
    }

    static List<VectorIndexSpec> vectorIndexes(String embeddingModel) {
        return List.of(new VectorIndexSpec(EMBEDDING_FIELD, EMBEDDING_FIELD, "mixpeek://" + NAME + "@" + VERSION + "/embedding",
                DIMENSION, "cosine", embeddingModel,
                "Face embeddings of " + embeddingModel + " for face search (by a photo or a face document) and grouping faces into people", null));
    }

    /** The catalogue entry, without loading a model. */
    public static ExtractorDescription describe(String embeddingModel) {
        ObjectNode input = Json.object().put("type", "object");
        input.putObject("properties").putObject(INPUT).put("type", "string")
                .put("description", "the image: a blob property of the source bucket (e.g. \"payload.image_url\") or an upstream document field");
        input.putArray("required").add(INPUT);
        ObjectNode params = Json.object().put("type", "object").put("additionalProperties", false);
        ObjectNode pp = params.putObject("properties");
        pp.putObject("extractor_type").put("type", "string").put("const", NAME).put("default", NAME);
        ObjectNode model = pp.putObject("detection_model").put("type", "string").put("default", DetectionModel.SCRFD_2_5G.wire);
        ArrayNode models = model.putArray("enum");
        for (DetectionModel m : DetectionModel.values()) models.add(m.wire);
        pp.putObject("min_face_size").put("type", "integer").put("minimum", 10).put("maximum", 200).put("default", 20);
        pp.putObject("detection_threshold").put("type", "number").put("minimum", 0).put("maximum", 1).put("default", 0.5);
        pp.putObject("max_faces_per_image").putArray("type").add("integer").add("null");
        pp.putObject("normalize_embeddings").put("type", "boolean").put("default", true);
        pp.putObject("enable_quality_scoring").put("type", "boolean").put("default", true);
        pp.putObject("quality_threshold").putArray("type").add("number").add("null");
        pp.putObject("output_mode").put("type", "string").put("default", "per_face").putArray("enum").add("per_face").add("per_image");
        pp.putObject("include_face_crops").put("type", "boolean").put("default", false);
        pp.putObject("include_source_frame_thumbnail").put("type", "boolean").put("default", false);
        pp.putObject("store_detection_metadata").put("type", "boolean").put("default", true);
        for (String video : List.of("max_video_length", "video_sampling_fps", "video_deduplication", "video_deduplication_threshold")) {
            pp.putObject(video).put("description", "video only: accepted, does not apply to images");
        }
        return new ExtractorDescription(NAME, VERSION,
                "One document per face (SCRFD detection, ArcFace-template alignment, " + DIMENSION + "-d embedding of model "
                        + embeddingModel + ") for face search and grouping faces into people.",
                input, params, validate(null, "parameters"), outputSchema(embeddingModel), List.of("image"), vectorIndexes(embeddingModel));
    }

    @Override
    public DecodeSize decodeSize(JsonNode parameters) {
        return new DecodeSize(DECODE_SIDE, DECODE_SIDE);
    }

    @Override
    public Input prepare(ImageDecoder.Decoded decoded, JsonNode parameters) {
        Options options = Options.of(parameters);
        BufferedImage image = decoded.image();
        double scale = decoded.originalWidth() / (double) image.getWidth();
        byte[] thumbnail = options.sourceThumbnail() ? Thumbnailer.jpeg(image) : null;
        return new Input(pipeline.prepare(image), scale, options, thumbnail,
                (int) Math.round(image.getWidth() * scale), (int) Math.round(image.getHeight() * scale));
    }

    /**
     * An upright image ready for detection, already letterboxed for the detector (here, on the
     * preparing thread, so that the model's thread does not resize): {@code scale} source
     * pixels per decoded pixel, the collection's options, its thumbnail when asked for, and the
     * size of the upright source image, the space of the boxes and landmarks.
     */
    public record Input(FacePipeline.Prepared image, double scale, Options options, byte[] thumbnail,
                        int sourceWidth, int sourceHeight) implements PreparedInput {
    }

    /**
     * Detects in every image, then embeds every face of the batch in one recogniser call
     * (inputs are grouped by their detection options, usually one group).
     */
    @Override
    public List<List<ExtractedDocument>> extract(List<PreparedInput> batch) {
        List<Input> inputs = batch.stream().map(FaceIdentityExtractor::own).toList();
        Map<FaceOptions, List<Integer>> byOptions = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) byOptions.computeIfAbsent(faceOptions(inputs.get(i)), k -> new ArrayList<>()).add(i);
        List<List<Face>> faces = new ArrayList<>(java.util.Collections.nCopies(inputs.size(), List.of()));
        for (Map.Entry<FaceOptions, List<Integer>> e : byOptions.entrySet()) {
            List<List<Face>> found = pipeline.analysePrepared(e.getValue().stream().map(i -> inputs.get(i).image()).toList(), e.getKey());
            for (int k = 0; k < found.size(); k++) faces.set(e.getValue().get(k), found.get(k));
        }
        List<List<ExtractedDocument>> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) out.add(documents(inputs.get(i), faces.get(i)));
        return out;
    }

    /** Detection options in decoded pixels: the minimum face size is given in source pixels. */
    private static FaceOptions faceOptions(Input in) {
        return faceOptions(in.options(), in.scale(), in.options().maxFaces());
    }

    private static FaceOptions faceOptions(Options o, double scale, Integer maxFaces) {
        int minFace = (int) Math.floor(o.minFaceSize() / scale);
        return FaceOptions.of(o.detectionThreshold(), Math.max(0, minFace), maxFaces);
    }

    /**
     * A face query's vector: the most prominent face of the decoded image (the largest and most
     * central, as {@code max_faces_per_image} ranks them) among those the searched collection
     * would have indexed, that is detected with its {@code detection_threshold} and
     * {@code min_face_size} ({@code parameters}: its validated parameters; this extractor is
     * already the one of its {@code detection_model}); empty when the image holds none.
     */
    public java.util.Optional<float[]> queryEmbedding(ImageDecoder.Decoded decoded, JsonNode parameters) {
        BufferedImage upright = decoded.image();
        FaceOptions options = faceOptions(Options.of(parameters), decoded.originalWidth() / (double) upright.getWidth(), 1);
        List<Face> found = pipeline.analyse(List.of(upright), options).getFirst();
        return found.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(found.getFirst().embedding());
    }

    private List<ExtractedDocument> documents(Input in, List<Face> found) {
        Options o = in.options();
        List<Face> kept = found.stream()
                .filter(f -> o.qualityThreshold() == null || f.quality().score() >= o.qualityThreshold())
                .toList();
        List<ExtractedDocument.Image> thumbnail = in.thumbnail() == null ? List.of() : List.of(new ExtractedDocument.Image("thumbnail_url", in.thumbnail()));
        if (o.outputMode() == OutputMode.PER_IMAGE) {
            ObjectNode fields = common(in);
            ArrayNode array = fields.putArray("faces");
            List<ExtractedDocument.Image> images = new ArrayList<>(thumbnail);
            for (int k = 0; k < kept.size(); k++) {
                array.add(faceFields(kept.get(k), k, in, o));
                if (o.faceCrops()) images.add(new ExtractedDocument.Image("faces." + k + ".face_crop_url", jpeg(kept.get(k).crop())));
            }
            fields.put("face_count", kept.size());
            Map<String, float[]> vectors = kept.isEmpty() ? Map.of() : Map.of(EMBEDDING_FIELD, embedding(kept.getFirst(), o));
            return List.of(new ExtractedDocument(fields, vectors, images));
        }
        List<ExtractedDocument> docs = new ArrayList<>(kept.size());
        for (int k = 0; k < kept.size(); k++) {
            Face face = kept.get(k);
            ObjectNode fields = common(in);
            fields.setAll(faceFields(face, k, in, o));
            List<ExtractedDocument.Image> images = new ArrayList<>(thumbnail);
            if (o.faceCrops()) images.add(new ExtractedDocument.Image("face_crop_url", jpeg(face.crop())));
            docs.add(new ExtractedDocument(fields, Map.of(EMBEDDING_FIELD, embedding(face, o)), images));
        }
        return docs;
    }

    private ObjectNode common(Input in) {
        ObjectNode fields = Json.object();
        fields.put("detection_model", detectionModel.wire);
        fields.put("embedding_model", pipeline.embedder().name());
        // Loupe's extension: the size the boxes are measured in, so a client can draw them on
        // the thumbnail (always 640 px wide, whatever the source).
        fields.put("source_width", in.sourceWidth());
        fields.put("source_height", in.sourceHeight());
        return fields;
    }

    private static ObjectNode faceFields(Face face, int index, Input in, Options o) {
        ObjectNode f = Json.object();
        f.put("face_index", index);
        if (o.detectionMetadata()) {
            FaceBox b = face.detection().box();
            double s = in.scale();
            f.putObject("bbox").put("x1", b.x1() * s).put("y1", b.y1() * s).put("x2", b.x2() * s).put("y2", b.y2() * s)
                    .put("width", b.width() * s).put("height", b.height() * s);
            f.put("detection_score", face.detection().score());
            Landmarks l = face.detection().landmarks();
            ObjectNode marks = f.putObject("landmarks");
            String[] names = {"left_eye", "right_eye", "nose", "mouth_left", "mouth_right"};
            Point[] points = l.points();
            for (int i = 0; i < names.length; i++) marks.putObject(names[i]).put("x", points[i].x() * s).put("y", points[i].y() * s);
        }
        if (o.qualityScoring()) {
            f.put("quality_score", face.quality().score());
            f.putObject("quality_components").put("sharpness", face.quality().sharpness()).put("size", face.quality().size())
                    .put("pose", face.quality().pose());
        }
        return f;
    }

    /** The recogniser's vector: L2-normalised unless the collection asked for the raw one (cosine search ranks both alike). */
    private static float[] embedding(Face face, Options o) {
        return o.normalizeEmbeddings() ? face.embedding() : face.rawEmbedding();
    }

    private static byte[] jpeg(BufferedImage crop) {
        return Thumbnailer.encodeJpeg(crop, CROP_QUALITY);
    }

    private static Input own(PreparedInput input) {
        return switch (input) {
            case Input in -> in;
            case ImageExtractor.Input other -> throw new IllegalArgumentException(NAME + " was handed an input prepared by " + ImageExtractor.NAME);
            case MultimodalExtractor.Input other -> throw new IllegalArgumentException(NAME + " was handed an input prepared by " + MultimodalExtractor.NAME);
        };
    }
}
