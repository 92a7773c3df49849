package dev.loupe.inference.face;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.inference.ModelUnavailableException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Finds faces in upright RGB images. The family is decided by the graph's outputs, never by
 * the file name: twelve outputs named {@code cls_*, obj_*, bbox_*, kps_*} are YuNet; 6, 9, 10
 * or 15 outputs are one of SCRFD's layouts.
 */
public sealed interface FaceDetector extends AutoCloseable permits Scrfd, Yunet {

    String name();

    /** Whether every face comes with five landmarks (required for alignment). */
    boolean hasLandmarks();

    /** The square input side the graph runs at. */
    int inputSize();

    /**
     * The faces of each image (list i for image i), coordinates in that image's pixels, most
     * confident first unless {@code options.maxFaces()} cut the list, which then comes in
     * prominence order. Graphs with a fixed batch of 1 run image by image behind this list API.
     */
    default List<List<DetectedFace>> detect(List<BufferedImage> upright, FaceOptions options) {
        return detectInputs(upright.stream().map(this::input).toList(), options);
    }

    /** An image letterboxed for this detector: the CPU work of detection that can run before, and beside, the model call. */
    default DetectorInput input(BufferedImage upright) {
        return DetectorInput.of(upright, inputSize());
    }

    /** {@link #detect} on inputs made by {@link #input}. */
    List<List<DetectedFace>> detectInputs(List<DetectorInput> inputs, FaceOptions options);

    @Override
    void close();

    /**
     * Loads the ONNX graph at {@code onnx}; {@code inputSize} is used when the graph's
     * spatial size is dynamic (SCRFD: 640 is insightface's default).
     */
    static FaceDetector load(String name, Path onnx, int inputSize, OrtEnvironment env, OrtSession.SessionOptions options) {
        OrtSession session;
        try {
            session = env.createSession(onnx.toString(), options);
        } catch (OrtException e) {
            throw new ModelUnavailableException("face detector '" + name + "' in " + onnx + " cannot be loaded: " + e.getMessage(), e);
        }
        DetectorGraph graph = new DetectorGraph(name, session, inputSize);
        try {
            if (Yunet.matches(graph)) return new Yunet(name, graph);
            return new Scrfd(name, graph, ScrfdLayout.of(graph));
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }
}
