package dev.loupe.extractor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.inference.Memo;
import dev.loupe.inference.ocr.OcrEngine;
import dev.loupe.inference.ocr.OcrLine;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Thumbnailer;
import dev.loupe.provider.GenerationConfig;
import dev.loupe.provider.Prompt;
import dev.loupe.provider.Reply;
import dev.loupe.provider.ResponseShape;
import dev.loupe.provider.VisionModel;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code multimodal_extractor} v1 for images and text: one document per input with, as the
 * collection asks, a cross-modal embedding ({@code multimodal_extractor_v1_multimodal_embedding},
 * from a dual encoder, so that images and texts of a collection are searched together and by
 * text or image), the words printed on the image ({@code ocr_text}, {@code ocr_lines}; PaddleOCR),
 * a {@code description} and the {@code response_shape} fields written by a vision-language
 * model, and a 640 px thumbnail.
 *
 * <p>A description and structured fields come from one provider call: when both are asked for,
 * {@code description} is added to the requested shape. The fields land at the document's root.
 * Video parameters (splitting, transcription, scene detection) are accepted and validated but
 * do not apply to images and text; {@code run_video_description} is what asks for an image's
 * description.
 */
public final class MultimodalExtractor implements FeatureExtractor {
    public static final String NAME = "multimodal_extractor";
    public static final String VERSION = "v1";
    public static final String EMBEDDING_FIELD = "multimodal_extractor_v1_multimodal_embedding";
    public static final String IMAGE = "image";
    public static final String TEXT = "text";
    /** Mixpeek's default prompt, which names a video segment; an image is asked about as an image. */
    public static final String DEFAULT_PROMPT = "Describe the video segment in detail.";
    static final String IMAGE_PROMPT = "Describe the image in detail.";
    /** Images are decoded with at least this many pixels on their shorter side for OCR: small print stays legible. */
    static final int OCR_DECODE_SIDE = 1280;
    /** For a provider, which gets the image downscaled to its bound (1024 px by default). */
    static final int PROVIDER_DECODE_SIDE = 1024;
    /** The largest {@code response_shape}: a schema that big is a mistake, not a request. */
    static final int MAX_SHAPE_CHARS = 16_384;
    static final int MAX_SHAPE_FIELDS = 64;
    static final int MAX_PROMPT_CHARS = 8_192;
    /** The largest text input embedded; the text tower truncates to its context anyway. */
    public static final int MAX_TEXT_CHARS = 100_000;
    private static final Set<String> VIDEO_ONLY = Set.of("split_method", "time_split_interval", "silence_db_threshold",
            "scene_detection_threshold", "run_transcription", "transcription_language", "run_transcription_embedding", "sensitivity");
    /** Fields Loupe writes itself: a response_shape field of the same name would overwrite them. */
    static final Set<String> RESERVED = Set.of("document_id", "collection_id", "root_object_id", "root_bucket_id", "source_object_id",
            "source_document_id", "source_type", "metadata", "created_at", "updated_at", "processing_time_ms", "ocr_text", "ocr_lines",
            "thumbnail_url", "text", ExtractedDocument.PROVIDER_USAGE, "document_blobs", "score", EMBEDDING_FIELD);

    private final CrossModalEncoder embedder;
    private final Supplier<OcrEngine> ocr;
    private final Optional<VisionModel> provider;
    /**
     * Collections' parameters, parsed: reading a {@code response_shape} schema checks it against
     * the JSON Schema meta-schema, too slow to repeat for every input of every batch.
     */
    private final Memo<JsonNode, Options> parsed = Memo.bounded(256);

    /**
     * @param embedder the cross-modal embedding's model
     * @param ocr      the OCR engine, loaded on first use
     * @param provider the configured vision-language model, if any
     */
    public MultimodalExtractor(CrossModalEncoder embedder, Supplier<OcrEngine> ocr, Optional<VisionModel> provider) {
        this.embedder = embedder;
        this.ocr = ocr;
        this.provider = provider;
    }

    public CrossModalEncoder embedder() {
        return embedder;
    }

    /** A collection's validated parameters, typed; parsed once per distinct parameters. */
    Options options(JsonNode parameters) {
        return parsed.get(parameters, Options::of);
    }

    /** The size an image query is decoded at: the local model's input, or what a remote one is sent. */
    public int queryDecodeSide() {
        return switch (embedder) {
            case CrossModalEncoder.Local local -> Math.max(local.encoder().get().preprocessing().width(), local.encoder().get().preprocessing().height());
            case CrossModalEncoder.Vertex vertex -> PROVIDER_DECODE_SIDE;
        };
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
        return List.of(IMAGE);
    }

    /** The image when an object has one, else its text: one collection holds both, in one embedding space. */
    @Override
    public List<MappedInput> inputs(JsonNode mappings) {
        List<MappedInput> out = new ArrayList<>(2);
        if (mappings != null && mappings.has(IMAGE)) out.add(new MappedInput(IMAGE, MappedInput.Kind.IMAGE));
        if (mappings != null && mappings.has(TEXT)) out.add(new MappedInput(TEXT, MappedInput.Kind.TEXT));
        return out;
    }

    @Override
    public void checkInputMappings(JsonNode mappings, String path) {
        boolean image = mappings != null && mappings.has(IMAGE), text = mappings != null && mappings.has(TEXT);
        if (image || text) return;
        for (String other : List.of("video", "audio", "gif")) {
            if (mappings != null && mappings.has(other)) {
                throw LoupeException.invalid(path + "." + other, NAME + " in Loupe takes images and text; " + other + " is not supported");
            }
        }
        throw LoupeException.invalid(path + "." + IMAGE, NAME + " needs an 'image' or a 'text' input mapping (e.g. \"payload.image_url\")");
    }

    /**
     * The validated parameters, typed. {@code shape} is null when no structured fields are asked
     * for; {@code asked} is what the provider is asked for (see {@link #askedShape}).
     */
    record Options(boolean embedding, boolean ocr, boolean description, String prompt, ResponseShape shape,
                   GenerationConfig generation, boolean thumbnails, ResponseShape asked) {

        /** Whether a provider is called for this collection's images. */
        boolean asksProvider() {
            return description || shape != null;
        }

        /** From parameters {@link #validate} filled in (a collection's stored parameters). */
        static Options of(JsonNode p) {
            JsonNode shape = p.path("response_shape");
            ResponseShape s = shape.isObject() ? new ResponseShape.Schema((ObjectNode) shape)
                    : shape.isTextual() ? new ResponseShape.Described(shape.asText()) : null;
            boolean description = p.path("run_video_description").asBoolean(false);
            String prompt = p.path("description_prompt").asText(DEFAULT_PROMPT);
            return new Options(p.path("run_multimodal_embedding").asBoolean(true), p.path("run_ocr").asBoolean(false),
                    description, prompt, s, GenerationConfig.of(p.path("generation_config"), "generation_config"),
                    p.path("enable_thumbnails").asBoolean(true), askedShape(s, description, prompt));
        }
    }

    @Override
    public ObjectNode validateParameters(JsonNode parameters, String path) {
        ObjectNode out = validate(parameters, path);
        Options o = Options.of(out);
        if (!o.asksProvider()) return out;
        String field = path + (out.path("response_shape").isNull() ? ".run_video_description" : ".response_shape");
        VisionModel model = provider.orElseThrow(() -> LoupeException.invalid(field,
                "descriptions and response_shape need a vision-language model provider, and none is configured: start Loupe with"
                        + " --vlm-provider openai|gemini|ollama and --vlm-model (see the README's Providers section)"));
        // What the provider's structured output cannot express is refused now, not object by object.
        model.check(o.asked(), path + ".response_shape");
        return out;
    }

    /** Validates without models or providers. */
    static ObjectNode validate(JsonNode parameters, String path) {
        Body p = Body.of(parameters == null ? Json.object() : parameters, path);
        ObjectNode out = Json.object();
        out.put("extractor_type", NAME);
        p.optionalString("extractor_type").ifPresent(t -> {
            if (!t.equals(NAME)) throw p.invalid("extractor_type", "must be '" + NAME + "', got '" + t + "'");
        });
        out.put("run_multimodal_embedding", p.optionalBoolean("run_multimodal_embedding").orElse(true));
        out.put("run_ocr", p.optionalBoolean("run_ocr").orElse(false));
        out.put("run_video_description", p.optionalBoolean("run_video_description").orElse(false));
        String prompt = p.optionalString("description_prompt").orElse(DEFAULT_PROMPT);
        if (prompt.isBlank()) throw p.invalid("description_prompt", "must not be blank");
        if (prompt.length() > MAX_PROMPT_CHARS) throw p.invalid("description_prompt", "is " + prompt.length() + " characters; at most " + MAX_PROMPT_CHARS);
        out.put("description_prompt", prompt);
        out.put("enable_thumbnails", p.optionalBoolean("enable_thumbnails").orElse(true));
        out.put("use_cdn", p.optionalBoolean("use_cdn").orElse(false));
        JsonNode given = p.raw("generation_config");
        ObjectNode generation = given instanceof ObjectNode o ? o.deepCopy() : Json.object();
        if (given != null && !given.isNull() && !given.isObject()) throw p.invalid("generation_config", "must be an object");
        // Mixpeek's GenerationConfig may carry the schema itself; it is the response_shape when none is given.
        JsonNode schema = generation.remove("response_schema");
        GenerationConfig.of(generation, path + ".generation_config");
        out.set("generation_config", generation);
        JsonNode shape = p.raw("response_shape");
        String shapePath = path + ".response_shape";
        if ((shape == null || shape.isNull()) && schema != null && !schema.isNull()) {
            shape = schema;
            shapePath = path + ".generation_config.response_schema";
        }
        out.set("response_shape", shape == null || shape.isNull() ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : checkedShape(shape, shapePath));
        for (String video : VIDEO_ONLY) {
            JsonNode v = p.raw(video);
            if (v != null) out.set(video, v.deepCopy());
        }
        for (var it = p.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (!out.has(field)) throw p.invalid(field, "is not a parameter of " + NAME);
        }
        return out;
    }

    /** A response_shape as given, once checked: a plain-language request, or an object schema whose fields may land at the root. */
    private static JsonNode checkedShape(JsonNode shape, String path) {
        if (Json.write(shape).length() > MAX_SHAPE_CHARS) throw LoupeException.invalid(path, "is larger than " + MAX_SHAPE_CHARS + " characters");
        if (shape.isTextual()) {
            if (shape.asText().isBlank()) throw LoupeException.invalid(path, "must not be blank");
            return shape;
        }
        if (!shape.isObject()) throw LoupeException.invalid(path, "must be a JSON Schema object or a plain-language description, got " + shape.getNodeType());
        if (shape.has("type") && !"object".equals(shape.path("type").asText())) {
            throw LoupeException.invalid(path + ".type", "must be \"object\": the fields land at the document's root");
        }
        JsonNode props = shape.path("properties");
        if (!props.isObject() || props.isEmpty()) throw LoupeException.invalid(path + ".properties", "must name at least one field");
        if (props.size() > MAX_SHAPE_FIELDS) throw LoupeException.invalid(path + ".properties", "has " + props.size() + " fields; at most " + MAX_SHAPE_FIELDS);
        for (var it = props.fields(); it.hasNext(); ) {
            var e = it.next();
            if (RESERVED.contains(e.getKey()) || e.getKey().startsWith("_")) {
                throw LoupeException.invalid(path + ".properties." + e.getKey(), "is a field Loupe writes itself; name it otherwise");
            }
            if (!e.getValue().isObject()) throw LoupeException.invalid(path + ".properties." + e.getKey(), "must be a schema object");
        }
        ObjectNode copy = ((ObjectNode) shape).deepCopy();
        copy.put("type", "object");
        ResponseShape.of(copy, path); // a valid, self-contained JSON Schema, or a 422
        return copy;
    }

    @Override
    public ObjectNode outputSchema() {
        return outputSchema(null);
    }

    @Override
    public ObjectNode outputSchema(JsonNode parameters) {
        return schema(embedder.dimension(), embedder.name(), parameters == null ? null : options(parameters));
    }

    private static ObjectNode schema(int dimension, String model, Options options) {
        ObjectNode props = Json.object();
        if (options == null || options.embedding()) {
            props.putObject(EMBEDDING_FIELD).put("type", "array").put("description",
                    "L2-normalised cross-modal embedding (" + dimension + "-d, model " + model + ") of the image or text");
        }
        if (options == null || options.ocr()) {
            props.putObject("ocr_text").put("type", "string").put("description", "the text printed on the image, lines in reading order");
            props.putObject("ocr_lines").put("type", "array").put("description", "each line's text, confidence and box (4 corners, source pixels)");
        }
        if (options == null || options.description()) {
            props.putObject("description").put("type", "string").put("description", "the provider's answer to description_prompt");
        }
        if (options != null && options.shape() instanceof ResponseShape.Schema s) {
            s.jsonSchema().path("properties").fields().forEachRemaining(e -> {
                ObjectNode field = props.putObject(e.getKey());
                JsonNode type = e.getValue().path("type");
                if (!type.isMissingNode()) field.set("type", type.deepCopy());
                field.put("description", e.getValue().path("description").asText("a response_shape field"));
            });
        }
        if (options == null || options.thumbnails()) {
            props.putObject("thumbnail_url").put("type", "string").put("description", "640 px wide JPEG thumbnail");
        }
        if (options == null || options.asksProvider()) {
            props.putObject(ExtractedDocument.PROVIDER_USAGE).put("type", "object").put("description", "input_tokens, output_tokens and calls of the provider");
        }
        props.putObject("processing_time_ms").put("type", "number");
        return props;
    }

    @Override
    public List<VectorIndexSpec> vectorIndexes() {
        return vectorIndexes(embedder.dimension(), embedder.name());
    }

    private static List<VectorIndexSpec> vectorIndexes(int dimension, String model) {
        return List.of(new VectorIndexSpec(EMBEDDING_FIELD, EMBEDDING_FIELD, "mixpeek://" + NAME + "@" + VERSION + "/multimodal_embedding",
                dimension, "cosine", model, "Cross-modal embeddings of " + model + ": images and texts in one space, searched by text or image", null));
    }

    /** The catalogue entry, for a model of {@code dimension} named {@code model}, without loading it. */
    public static ExtractorDescription describe(int dimension, String model) {
        ObjectNode input = Json.object().put("type", "object");
        ObjectNode ip = input.putObject("properties");
        ip.putObject(IMAGE).put("type", "string").put("description", "the image: a blob property (e.g. \"payload.image_url\") or an upstream document field");
        ip.putObject(TEXT).put("type", "string").put("description", "or a text: a text blob property or a string field, embedded by the same model's text tower");
        ObjectNode params = Json.object().put("type", "object").put("additionalProperties", false);
        ObjectNode pp = params.putObject("properties");
        pp.putObject("extractor_type").put("type", "string").put("const", NAME).put("default", NAME);
        pp.putObject("run_multimodal_embedding").put("type", "boolean").put("default", true);
        pp.putObject("run_ocr").put("type", "boolean").put("default", false).put("description", "PaddleOCR: ocr_text and ocr_lines");
        pp.putObject("run_video_description").put("type", "boolean").put("default", false)
                .put("description", "a description of the image by the configured vision-language model");
        pp.putObject("description_prompt").put("type", "string").put("default", DEFAULT_PROMPT);
        pp.putObject("response_shape").put("description", "structured fields: a JSON Schema object or a plain-language description");
        pp.putObject("generation_config").put("type", "object").put("description", "temperature, top_p, max_output_tokens");
        pp.putObject("enable_thumbnails").put("type", "boolean").put("default", true);
        pp.putObject("use_cdn").put("type", "boolean").put("default", false).put("description", "accepted; thumbnails are served by Loupe itself");
        for (String video : VIDEO_ONLY) pp.putObject(video).put("description", "video only: accepted, does not apply to images and text");
        return new ExtractorDescription(NAME, VERSION,
                "One document per image or text: a " + dimension + "-d cross-modal embedding of model " + model
                        + ", OCR text, and a description and structured fields from a vision-language model.",
                input, params, validate(null, "parameters"), schema(dimension, model, null), List.of("image", "text"), vectorIndexes(dimension, model));
    }

    @Override
    public DecodeSize decodeSize(JsonNode parameters) {
        Options o = options(parameters);
        int side = 1, height = 1;
        if (o.embedding()) {
            switch (embedder) {
                case CrossModalEncoder.Local local -> {
                    side = local.encoder().get().preprocessing().width();
                    height = local.encoder().get().preprocessing().height();
                }
                case CrossModalEncoder.Vertex vertex -> side = height = PROVIDER_DECODE_SIDE;
            }
        }
        if (o.thumbnails()) side = Math.max(side, Thumbnailer.WIDTH);
        if (o.asksProvider()) side = height = Math.max(side, PROVIDER_DECODE_SIDE);
        if (o.ocr()) side = height = Math.max(side, OCR_DECODE_SIDE);
        return new DecodeSize(side, height);
    }

    @Override
    public Input prepare(ImageDecoder.Decoded decoded, JsonNode parameters) {
        Options o = options(parameters);
        BufferedImage upright = decoded.image();
        double scale = decoded.originalWidth() / (double) upright.getWidth();
        float[] tensor = o.embedding() && embedder instanceof CrossModalEncoder.Local local ? local.encoder().get().imageTensor(upright) : null;
        byte[] thumbnail = o.thumbnails() ? Thumbnailer.jpeg(upright) : null;
        return new Input(new Content.Picture(upright, scale, tensor, thumbnail), o, null, null);
    }

    @Override
    public Input prepareText(String text, JsonNode parameters) {
        if (text.isBlank()) throw new IllegalArgumentException("text input is empty");
        if (text.length() > MAX_TEXT_CHARS) throw new IllegalArgumentException("text input is " + text.length() + " characters; at most " + MAX_TEXT_CHARS);
        return new Input(new Content.Passage(text), options(parameters), null, null);
    }

    /**
     * What remote models answer for one input: a remote embedding (Vertex), and an image's
     * description and structured fields from one provider call (retried and validated by the
     * provider client).
     */
    @Override
    public PreparedInput askProviders(PreparedInput prepared) {
        Input in = own(prepared);
        Options o = in.options();
        float[] embedded = null;
        if (o.embedding() && embedder instanceof CrossModalEncoder.Vertex vertex) {
            embedded = switch (in.content()) {
                case Content.Picture p -> vertex.embedImage(p.image());
                case Content.Passage t -> vertex.embedText(t.text());
            };
        }
        Reply reply = null;
        if (in.content() instanceof Content.Picture picture && o.asksProvider()) {
            VisionModel model = provider.orElseThrow(() -> new IllegalStateException(
                    "this collection asks for descriptions, and no vision-language model provider is configured (--vlm-provider)"));
            String prompt = o.prompt().equals(DEFAULT_PROMPT) ? IMAGE_PROMPT : o.prompt();
            reply = model.generate(new Prompt(prompt, List.of(picture.image()), o.asked(), o.generation()));
        }
        return embedded == null && reply == null ? in : new Input(in.content(), o, reply, embedded);
    }

    /** The shape asked of the provider: the collection's, with {@code description} added when a description is wanted too. */
    static ResponseShape askedShape(ResponseShape shape, boolean description, String prompt) {
        return switch (shape) {
            case null -> new ResponseShape.Text();
            case ResponseShape.Schema s when description && !s.jsonSchema().path("properties").has("description") -> {
                ObjectNode schema = s.jsonSchema().deepCopy();
                ((ObjectNode) schema.path("properties")).putObject("description").put("type", "string")
                        .put("description", "the answer to: " + prompt);
                ArrayNode required = schema.has("required") ? (ArrayNode) schema.get("required") : schema.putArray("required");
                required.add("description");
                yield new ResponseShape.Schema(schema);
            }
            case ResponseShape.Described d when description -> new ResponseShape.Described(d.fields() + "; and a 'description' field: " + prompt);
            default -> shape;
        };
    }

    /** OCR of every image asking for it in one engine call (recognition batched over all their lines), then every embedding in one call per tower. */
    @Override
    public List<List<ExtractedDocument>> extract(List<PreparedInput> batch) {
        List<Input> inputs = batch.stream().map(MultimodalExtractor::own).toList();
        int n = inputs.size();
        // Each model runs once over the inputs that need it; results land at the input's position.
        List<Integer> reading = new ArrayList<>(), pictures = new ArrayList<>(), passages = new ArrayList<>();
        float[][] vector = new float[n][];
        for (int i = 0; i < n; i++) {
            Input in = inputs.get(i);
            vector[i] = in.embedded();
            switch (in.content()) {
                case Content.Picture p -> {
                    if (in.options().ocr()) reading.add(i);
                    if (p.tensor() != null) pictures.add(i);
                }
                case Content.Passage t -> {
                    if (in.options().embedding() && in.embedded() == null) passages.add(i);
                }
            }
        }
        List<List<OcrLine>> lines = new ArrayList<>(java.util.Collections.nCopies(n, null));
        if (!reading.isEmpty()) {
            List<List<OcrLine>> read = ocr.get().readAll(reading.stream().map(i -> ((Content.Picture) inputs.get(i).content()).image()).toList());
            for (int k = 0; k < read.size(); k++) lines.set(reading.get(k), read.get(k));
        }
        if (!pictures.isEmpty()) {
            // Tensors are made only for a local encoder.
            float[][] embedded = ((CrossModalEncoder.Local) embedder).encoder().get()
                    .embedImageTensors(pictures.stream().map(i -> ((Content.Picture) inputs.get(i).content()).tensor()).toList());
            for (int k = 0; k < embedded.length; k++) vector[pictures.get(k)] = embedded[k];
        }
        if (!passages.isEmpty()) {
            float[][] embedded = embedder.embedTexts(passages.stream().map(i -> ((Content.Passage) inputs.get(i).content()).text()).toList());
            for (int k = 0; k < embedded.length; k++) vector[passages.get(k)] = embedded[k];
        }

        List<List<ExtractedDocument>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Input in = inputs.get(i);
            ObjectNode fields = Json.object();
            List<ExtractedDocument.Image> images = List.of();
            switch (in.content()) {
                case Content.Picture p -> {
                    if (lines.get(i) != null) ocrFields(fields, lines.get(i), p.scale());
                    if (p.thumbnail() != null) images = List.of(new ExtractedDocument.Image("thumbnail_url", p.thumbnail()));
                }
                case Content.Passage t -> fields.put(TEXT, t.text());
            }
            if (in.reply() != null) providerFields(fields, in.reply());
            out.add(List.of(new ExtractedDocument(fields, vector[i] == null ? Map.of() : Map.of(EMBEDDING_FIELD, vector[i]), images)));
        }
        return out;
    }

    private static void ocrFields(ObjectNode fields, List<OcrLine> lines, double scale) {
        fields.put("ocr_text", OcrLine.joined(lines));
        ArrayNode array = fields.putArray("ocr_lines");
        for (OcrLine line : lines) {
            ObjectNode l = array.addObject();
            l.put("text", line.text());
            l.put("confidence", line.confidence());
            ArrayNode box = l.putArray("box");
            for (OcrLine.Point pt : line.box()) box.addArray().add(pt.x() * scale).add(pt.y() * scale);
        }
    }

    /** The description and the structured fields at the root, and what the calls cost. */
    private static void providerFields(ObjectNode fields, Reply reply) {
        if (reply.json() == null) {
            fields.put("description", reply.text());
        } else {
            reply.json().fields().forEachRemaining(e -> {
                if (!RESERVED.contains(e.getKey())) fields.set(e.getKey(), e.getValue());
            });
        }
        fields.putObject(ExtractedDocument.PROVIDER_USAGE).put("input_tokens", reply.usage().inputTokens())
                .put("output_tokens", reply.usage().outputTokens()).put("calls", reply.attempts());
    }

    private static Input own(PreparedInput input) {
        return switch (input) {
            case Input in -> in;
            case ImageExtractor.Input other -> throw new IllegalArgumentException(NAME + " was handed an input prepared by " + ImageExtractor.NAME);
            case FaceIdentityExtractor.Input other -> throw new IllegalArgumentException(NAME + " was handed an input prepared by " + FaceIdentityExtractor.NAME);
        };
    }

    /** What one input holds: an image with its tensor and thumbnail, or a text. */
    sealed interface Content {
        /** An upright image: {@code scale} source pixels per decoded pixel; the tensor when embedded, the thumbnail when wanted. */
        record Picture(BufferedImage image, double scale, float[] tensor, byte[] thumbnail) implements Content {
        }

        record Passage(String text) implements Content {
        }
    }

    /**
     * An input prepared for {@link #extract}: its content, the collection's options and, once
     * asked, the provider's reply and a remotely computed embedding.
     */
    public record Input(Content content, Options options, Reply reply, float[] embedded) implements PreparedInput {
    }
}
