package dev.loupe.inference.face;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.loupe.inference.ModelUnavailableException;
import dev.loupe.inference.OnnxSessions;
import dev.loupe.inference.Vectors;
import dev.loupe.media.Resampler;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An ArcFace-style recogniser: aligned 112×112 RGB crops in, one vector per face out.
 * Input is {@code (x − mean) / std} per channel, as the manifest says (insightface's
 * {@code arcface_onnx.py}: 127.5 and 127.5, or 0 and 1 for graphs that begin with their own
 * Sub/Mul normalisation). A graph with a dynamic batch dimension embeds up to
 * {@link #MAX_BATCH} faces per run; one with a fixed batch of 1 (like face_embed_512.onnx)
 * runs face by face behind the same list API.
 */
public final class FaceEmbedder implements AutoCloseable {
    /** Faces per graph run when the batch is dynamic: bounds the input tensor (64 × 150 KB). */
    public static final int MAX_BATCH = 64;

    private final String name;
    private final OrtSession session;
    private final String input;
    private final int batch;
    private final int dimension;
    private final float mean, std;

    private FaceEmbedder(String name, OrtSession session, float mean, float std) throws OrtException {
        this.name = name;
        this.session = session;
        this.input = session.getInputNames().iterator().next();
        long[] in = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
        if (in.length != 4 || in[1] != 3 || (in[2] > 0 && in[2] != FaceAligner.SIZE) || (in[3] > 0 && in[3] != FaceAligner.SIZE)) {
            throw new ModelUnavailableException("face recogniser '" + name + "' must take [N,3,112,112], takes " + Arrays.toString(in));
        }
        this.batch = in[0] > 0 ? (int) in[0] : MAX_BATCH;
        if (batch != 1 && in[0] > 0) throw new ModelUnavailableException("face recogniser '" + name + "' has a fixed batch of " + in[0] + "; only 1 or dynamic is supported");
        long[] out = ((TensorInfo) session.getOutputInfo().values().iterator().next().getInfo()).getShape();
        if (out.length != 2 || out[1] <= 0) throw new ModelUnavailableException("face recogniser '" + name + "' must give [N,D], gives " + Arrays.toString(out));
        this.dimension = (int) out[1];
        if (!(std > 0)) throw new ModelUnavailableException("face recogniser '" + name + "': input_std must be positive, got " + std);
        this.mean = mean;
        this.std = std;
    }

    public static FaceEmbedder load(String name, Path onnx, float mean, float std, OrtEnvironment env, OrtSession.SessionOptions options) {
        return OnnxSessions.open("face recogniser '" + name + "' in " + onnx, () -> env.createSession(onnx.toString(), options),
                session -> new FaceEmbedder(name, session, mean, std));
    }

    public String name() {
        return name;
    }

    public int dimension() {
        return dimension;
    }

    /** Whether several faces share one graph run. */
    public boolean batched() {
        return batch > 1;
    }

    /** L2-normalised embeddings of aligned crops; row i belongs to crop i. */
    public float[][] embed(List<BufferedImage> aligned) {
        float[][] rows = embedRaw(aligned);
        for (float[] r : rows) Vectors.normalise(r);
        return rows;
    }

    /** The graph's raw output for each crop, not normalised. */
    public float[][] embedRaw(List<BufferedImage> aligned) {
        int per = 3 * FaceAligner.SIZE * FaceAligner.SIZE;
        List<float[]> out = new ArrayList<>(aligned.size());
        for (int start = 0; start < aligned.size(); start += batch) {
            int n = Math.min(batch, aligned.size() - start);
            float[] pixels = new float[n * per];
            for (int i = 0; i < n; i++) write(aligned.get(start + i), pixels, i * per);
            try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(pixels),
                    new long[] {n, 3, FaceAligner.SIZE, FaceAligner.SIZE});
                 OrtSession.Result r = session.run(Map.of(input, t))) {
                FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
                if (b.remaining() != n * dimension) throw new IllegalStateException("face recogniser '" + name + "' gave " + b.remaining() + " values for " + n + " faces");
                for (int i = 0; i < n; i++) {
                    float[] row = new float[dimension];
                    b.get(row);
                    out.add(row);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("face recogniser '" + name + "' failed: " + e.getMessage(), e);
            }
        }
        return out.toArray(float[][]::new);
    }

    private void write(BufferedImage crop, float[] out, int offset) {
        if (crop.getWidth() != FaceAligner.SIZE || crop.getHeight() != FaceAligner.SIZE) {
            throw new IllegalArgumentException("face crops must be 112×112, got " + crop.getWidth() + "×" + crop.getHeight());
        }
        int plane = FaceAligner.SIZE * FaceAligner.SIZE;
        int[] rgb = Resampler.rgb(crop);
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            out[offset + i] = (((p >> 16) & 0xff) - mean) / std;
            out[offset + plane + i] = (((p >> 8) & 0xff) - mean) / std;
            out[offset + 2 * plane + i] = ((p & 0xff) - mean) / std;
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing face recogniser '" + name + "' failed", e);
        }
    }
}
