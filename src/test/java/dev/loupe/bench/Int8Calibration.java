package dev.loupe.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The calibration run of static int8 quantisation: the fp32 image tower with every linear layer's
 * input as an extra output ({@code calib_K}, written by scripts/siglip_random.py) runs on images
 * through Loupe's own preprocessing, and each input's [min, max] over all of them is written out
 * (the MinMax calibration quantize_static uses by default) for {@code siglip_random.py --static}.
 *
 * <p>{@code Int8Calibration MODELS_DIR RANGES_JSON}; run by {@code scripts/bench.sh embeddings}.
 */
public final class Int8Calibration {
    /** Calibration images: colour-dominated photos of the benchmark's kind, in several sizes. */
    static final int IMAGES = 32;

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            images.add(Images.dominant(Images.BASIC.get(colours.get(i % colours.size())), 320 + 40 * (i % 9), 240 + 30 * (i % 7), 1000 + i));
        }
        try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo)) {
            DualEncoder preprocessing = encoders.encoder("siglip-random");
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(models.resolve("siglip-random-calibrate/visual.onnx").toString(), ModelRepository.sessionOptions())) {
                int layers = (int) s.getOutputNames().stream().filter(n -> n.startsWith("calib_")).count();
                float[] lo = new float[layers], hi = new float[layers];
                java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
                java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
                for (int from = 0; from < images.size(); from += 8) {
                    List<float[]> tensors = images.subList(from, Math.min(images.size(), from + 8)).stream().map(preprocessing::imageTensor).toList();
                    int per = tensors.getFirst().length;
                    float[] pixels = new float[tensors.size() * per];
                    for (int i = 0; i < tensors.size(); i++) System.arraycopy(tensors.get(i), 0, pixels, i * per, per);
                    long[] shape = {tensors.size(), 3, preprocessing.preprocessing().height(), preprocessing.preprocessing().width()};
                    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), shape);
                         OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), x))) {
                        for (Map.Entry<String, OnnxValue> e : r) {
                            if (!e.getKey().startsWith("calib_")) continue;
                            int k = Integer.parseInt(e.getKey().substring("calib_".length()));
                            FloatBuffer values = ((OnnxTensor) e.getValue()).getFloatBuffer();
                            while (values.hasRemaining()) {
                                float v = values.get();
                                lo[k] = Math.min(lo[k], v);
                                hi[k] = Math.max(hi[k], v);
                            }
                        }
                    }
                }
                ObjectNode json = Json.object();
                json.put("images", images.size());
                ArrayNode ranges = json.putArray("ranges");
                for (int k = 0; k < layers; k++) ranges.addArray().add(lo[k]).add(hi[k]);
                Files.writeString(out, json.toPrettyString());
                System.out.printf("calibrated %d linear layers' inputs on %d images -> %s%n", layers, images.size(), out);
            }
        }
    }
}
