package dev.loupe.inference.clip;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelUnavailableException;
import dev.loupe.inference.Vectors;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An image tower and a text tower that embed into one space (CLIP, SigLIP), loaded
 * from a model folder in the OpenCLIP export layout that Immich publishes:
 *
 * <pre>
 * config.json                 embed_dim, text_cfg.context_length (and optional pad_id)
 * visual/model.onnx           [N,3,H,W] float → [N,D]
 * visual/preprocess_cfg.json  size, resize_mode, interpolation, mean, std
 * textual/model.onnx          [N,L] int32 or int64 token ids → [N,D]
 * textual/tokenizer.json      Hugging Face tokenizer
 * </pre>
 *
 * Every embedding returned is L2-normalised, so cosine similarity is a dot product.
 */
public final class DualEncoder implements AutoCloseable {
    private final String name;
    private final int dimension;
    private final Preprocessing preprocessing;
    private final OrtSession visual;
    private final OrtSession textual;
    private final String visualInput;
    private final String textInput;
    private final boolean textTakesInt64;
    private final TextTokenizer tokenizer;

    private DualEncoder(String name, Path dir, ModelManifest manifest, OrtEnvironment env, OrtSession.SessionOptions options)
            throws OrtException, IOException {
        this.name = name;
        JsonNode config = Json.read(Files.readString(dir.resolve("config.json")));
        ModelManifest.Text text = manifest == null || manifest.text() == null ? new ModelManifest.Text(null, null, null) : manifest.text();
        int declared = manifest == null ? 0 : manifest.embeddingDimension();
        this.dimension = declared > 0 ? declared : config.path("embed_dim").asInt(0);
        if (dimension <= 0) throw new ModelUnavailableException(dir.resolve("config.json") + " lacks a positive embed_dim");
        int contextLength = text.contextLength() != null ? text.contextLength() : config.path("text_cfg").path("context_length").asInt(64);
        long padId = text.padId() != null ? text.padId() : config.path("text_cfg").path("pad_id").asLong(0);
        TextClean clean = TextClean.named(text.clean() == null ? "none" : text.clean());
        this.preprocessing = Preprocessing.fromConfig(manifest != null && manifest.preprocessing() != null ? manifest.preprocessing()
                : Json.read(Files.readString(dir.resolve("visual/preprocess_cfg.json"))));
        this.visual = env.createSession(dir.resolve("visual/model.onnx").toString(), options);
        this.textual = env.createSession(dir.resolve("textual/model.onnx").toString(), options);
        this.visualInput = visual.getInputNames().iterator().next();
        this.textInput = textual.getInputNames().iterator().next();
        NodeInfo textInfo = textual.getInputInfo().get(textInput);
        this.textTakesInt64 = ((TensorInfo) textInfo.getInfo()).type == OnnxJavaType.INT64;
        this.tokenizer = new TextTokenizer(dir.resolve("textual/tokenizer.json"), contextLength, padId, clean);
    }

    /** The files of the OpenCLIP/Immich model layout. */
    public static final List<String> LAYOUT = List.of(
            "config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx", "textual/tokenizer.json");

    /** The files of the OpenCLIP/Immich layout that {@code dir} lacks. */
    public static List<String> missingFiles(Path dir) {
        return LAYOUT.stream().filter(f -> !Files.isRegularFile(dir.resolve(f))).toList();
    }

    /**
     * Loads the model folder {@code dir}; a missing or unloadable file is a
     * {@link ModelUnavailableException}. The manifest, when given, overrides the folder's
     * preprocessing and text settings.
     */
    public static DualEncoder load(String name, Path dir, ModelManifest manifest, OrtEnvironment env, OrtSession.SessionOptions options) {
        List<String> missing = missingFiles(dir);
        if (!missing.isEmpty() && !(manifest != null && manifest.preprocessing() != null && missing.equals(List.of("visual/preprocess_cfg.json")))) {
            throw new ModelUnavailableException("model '" + name + "' is not installed: missing " + dir.resolve(missing.getFirst())
                    + ". Put the model's files (OpenCLIP/Immich layout: config.json, visual/, textual/) in " + dir);
        }
        try {
            return new DualEncoder(name, dir, manifest, env, options);
        } catch (OrtException | IOException | RuntimeException e) {
            throw new ModelUnavailableException("model '" + name + "' in " + dir + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    public int dimension() {
        return dimension;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** Embeds upright RGB images in one batch; row i belongs to image i. */
    public float[][] embedImages(List<BufferedImage> images) {
        return embedImageTensors(images.stream().map(this::imageTensor).toList());
    }

    /**
     * One image as the image tower takes it ({@code 3 × height × width} floats, channel-major),
     * so that callers can prepare it on another thread while the model runs.
     */
    public float[] imageTensor(BufferedImage image) {
        float[] pixels = new float[3 * preprocessing.width() * preprocessing.height()];
        ImageTensor.write(image, preprocessing, pixels, 0);
        return pixels;
    }

    /** Embeds images already turned into tensors by {@link #imageTensor}, in one model call; row i belongs to tensor i. */
    public float[][] embedImageTensors(List<float[]> tensors) {
        if (tensors.isEmpty()) return new float[0][];
        int per = 3 * preprocessing.width() * preprocessing.height();
        float[] pixels = new float[tensors.size() * per];
        for (int i = 0; i < tensors.size(); i++) {
            float[] t = tensors.get(i);
            if (t.length != per) throw new IllegalArgumentException("image tensor " + i + " holds " + t.length + " floats, model '" + name + "' takes " + per);
            System.arraycopy(t, 0, pixels, i * per, per);
        }
        long[] shape = {tensors.size(), 3, preprocessing.height(), preprocessing.width()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), shape);
             OrtSession.Result result = visual.run(Map.of(visualInput, input))) {
            return normalisedRows((OnnxTensor) result.get(0), tensors.size());
        } catch (OrtException e) {
            throw new IllegalStateException("image model '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    /** Embeds one text query. */
    public float[] embedText(String text) {
        return embedTexts(List.of(text))[0];
    }

    /** Embeds texts in one model call (every text is padded to the context length); row i belongs to text i. */
    public float[][] embedTexts(List<String> texts) {
        if (texts.isEmpty()) return new float[0][];
        long[] ids = null;
        int length = 0;
        for (int i = 0; i < texts.size(); i++) {
            long[] one = tokenize(texts.get(i));
            if (ids == null) {
                length = one.length;
                ids = new long[texts.size() * length];
            } else if (one.length != length) {
                throw new IllegalStateException("text model '" + name + "': text " + i + " has " + one.length + " tokens, text 0 has " + length);
            }
            System.arraycopy(one, 0, ids, i * length, length);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {texts.size(), length};
        try (OnnxTensor input = textTakesInt64
                     ? OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape)
                     : OnnxTensor.createTensor(env, IntBuffer.wrap(toInts(ids)), shape);
             OrtSession.Result result = textual.run(Map.of(textInput, input))) {
            return normalisedRows((OnnxTensor) result.get(0), texts.size());
        } catch (OrtException e) {
            throw new IllegalStateException("text model '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    /** Token ids, truncated to the context length and padded with the pad id. */
    public long[] tokenize(String text) {
        return tokenizer.ids(text);
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    private float[][] normalisedRows(OnnxTensor tensor, int rows) {
        FloatBuffer buf = tensor.getFloatBuffer();
        int dim = buf.remaining() / rows;
        if (dim != dimension) throw new IllegalStateException("model '" + name + "' produced " + dim + "-d vectors, config says " + dimension);
        float[][] out = new float[rows][dim];
        for (int r = 0; r < rows; r++) {
            buf.get(out[r]);
            Vectors.normalise(out[r]);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            visual.close();
            textual.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing model '" + name + "' failed", e);
        } finally {
            tokenizer.close();
        }
    }
}
