package dev.loupe.inference.face;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.loupe.inference.ModelUnavailableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A detector's ONNX session and what its signature allows: the square input size (the
 * graph's own when fixed, else the configured one) and whether images can share a batch
 * (a dynamic first input dimension and outputs that carry a batch dimension). Graphs with a
 * fixed batch of 1, like insightface's SCRFD exports and YuNet, run one image per call.
 */
final class DetectorGraph implements AutoCloseable {
    private final String name;
    private final OrtSession session;
    private final String input;
    private final List<String> outputs;
    private final List<long[]> outputShapes;
    private final int inputSize;
    private final boolean batched;

    DetectorGraph(String name, OrtSession session, int configuredSize) {
        this.name = name;
        this.session = session;
        try {
            this.input = session.getInputNames().iterator().next();
            long[] shape = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
            if (shape.length != 4 || shape[1] != 3) throw new ModelUnavailableException("face detector '" + name + "' must take [N,3,H,W] input, takes " + Arrays.toString(shape));
            if (shape[2] > 0 && shape[3] > 0 && shape[2] != shape[3]) {
                throw new ModelUnavailableException("face detector '" + name + "' has a non-square fixed input " + shape[3] + "×" + shape[2]);
            }
            this.inputSize = shape[2] > 0 ? (int) shape[2] : configuredSize;
            this.outputs = List.copyOf(session.getOutputNames());
            List<long[]> shapes = new ArrayList<>();
            for (String o : outputs) shapes.add(((TensorInfo) session.getOutputInfo().get(o).getInfo()).getShape());
            this.outputShapes = List.copyOf(shapes);
            this.batched = shape[0] < 0 && shapes.stream().allMatch(s -> s.length == 3);
        } catch (OrtException e) {
            throw new ModelUnavailableException("face detector '" + name + "' cannot be inspected: " + e.getMessage(), e);
        }
        if (inputSize % 32 != 0 || inputSize < 32 || inputSize > 4096) {
            throw new ModelUnavailableException("face detector '" + name + "': input size must be a multiple of 32 in 32..4096, got " + inputSize);
        }
    }

    int inputSize() {
        return inputSize;
    }

    int outputCount() {
        return outputs.size();
    }

    List<String> outputNames() {
        return outputs;
    }

    /** The last dimension of each output (1 scores, 4 boxes, 10 landmarks), as the graph declares it. */
    long lastDim(int output) {
        long[] s = outputShapes.get(output);
        return s[s.length - 1];
    }

    boolean batched() {
        return batched;
    }

    /** One image's letterbox and the graph's outputs for it, before decoding. */
    record Raw(Letterbox letterbox, float[][] outputs) {
    }

    /**
     * Writes every letterboxed input as {@code (value − mean) / std} in the channel order
     * {@code order} (see {@link Letterbox#writeTensor}) and runs the graph. The floats go
     * straight into native memory, which ONNX Runtime reads in place (from a Java array it
     * would first copy them there: 5 MB per image at 640).
     */
    List<Raw> runLetterboxed(List<DetectorInput> images, int[] order, float mean, float std) {
        for (DetectorInput in : images) {
            if (in.letterbox().size() != inputSize) {
                throw new IllegalArgumentException("an input letterboxed to " + in.letterbox().size() + " for face detector '" + name + "' of input " + inputSize);
            }
        }
        List<Raw> raws = new ArrayList<>(images.size());
        int per = 3 * inputSize * inputSize;
        int step = batched ? Math.max(1, images.size()) : 1;
        for (int start = 0; start < images.size(); start += step) {
            int n = Math.min(step, images.size() - start);
            FloatBuffer batch = ByteBuffer.allocateDirect(n * per * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int i = 0; i < n; i++) {
                DetectorInput in = images.get(start + i);
                in.letterbox().writeTensor(in.scaled(), order, mean, std, batch, i * per);
            }
            List<float[][]> outputs = run(batch, n);
            for (int i = 0; i < n; i++) raws.add(new Raw(images.get(start + i).letterbox(), outputs.get(i)));
        }
        return raws;
    }

    /** Runs {@code n} planar {@code 3 × size × size} inputs; for each, each output's floats (row-major, batch dimension removed). */
    private List<float[][]> run(FloatBuffer batch, int n) {
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), batch, new long[] {n, 3, inputSize, inputSize});
             OrtSession.Result r = session.run(Map.of(input, t))) {
            float[][][] perImage = new float[n][outputs.size()][];
            for (int o = 0; o < outputs.size(); o++) {
                FloatBuffer b = ((OnnxTensor) r.get(outputs.get(o)).orElseThrow()).getFloatBuffer();
                int each = b.remaining() / n;
                for (int i = 0; i < n; i++) {
                    perImage[i][o] = new float[each];
                    b.get(perImage[i][o]);
                }
            }
            return List.of(perImage);
        } catch (OrtException e) {
            throw new IllegalStateException("face detector '" + name + "' failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing face detector '" + name + "' failed", e);
        }
    }
}
