package dev.loupe.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.Loupe;
import dev.loupe.config.Settings;
import dev.loupe.index.VectorQuantization;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.face.Face;
import dev.loupe.inference.face.FaceModels;
import dev.loupe.inference.face.FaceOptions;
import dev.loupe.inference.face.FacePipeline;
import dev.loupe.inference.face.Letterbox;
import dev.loupe.media.ImageDecoder;
import dev.loupe.testing.Api;
import dev.loupe.testing.FaceFixtures;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.ImageHost;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Faces, per image and end to end, on the real weights of {@code ../shared/models/face} and the
 * photos of {@code ../shared/data/faces} and {@code faces-extra} (portraits and group photos):
 * <ol>
 *   <li>Loupe's detection + alignment + embedding per image (decoded beforehand) for each
 *       detector, next to a bare ONNX Runtime loop over the same graphs in the same run
 *       (the detector once per image on its input size, the recogniser once per face found);</li>
 *   <li>faces per second through the API (fetch, decode, detect, align, embed, index) for a
 *       batch of objects, next to the bare model rate over the same photos.</li>
 * </ol>
 * Run with {@code scripts/bench.sh faces}.
 */
public final class FaceBenchmark {
    private static final int OBJECTS = 200;
    private static final long MEASURE_NANOS = 10_000_000_000L;
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    public static void main(String[] args) throws Exception {
        List<Path> files = photos();
        ImageDecoder decoder = new ImageDecoder(100_000_000L);
        List<BufferedImage> images = new ArrayList<>();
        for (Path p : files) images.add(decoder.decode(Files.readAllBytes(p), 1280, 1280).image());
        Path modelsDir = FaceFixtures.modelsDir();
        System.out.println(images.size() + " photos; ms per image (decoded beforehand)");
        System.out.println("| detector | faces | Loupe ms/image | bare ORT ms/image | Loupe / bare |");
        System.out.println("|---|---|---|---|---|");
        double bareFacesPerSecond = 0;
        try (ModelRepository repo = new ModelRepository(modelsDir); FaceModels faces = new FaceModels(repo)) {
            for (String detector : List.of(FaceFixtures.SCRFD_500M, FaceFixtures.SCRFD_2_5G)) {
                FacePipeline pipeline = faces.pipeline(detector, FaceFixtures.RECOGNIZER);
                FaceOptions options = FaceOptions.of(0.5f, 0, null);
                List<List<Face>> analysed = new ArrayList<>();
                for (BufferedImage img : images) analysed.add(pipeline.analyse(List.of(img), options).getFirst());
                int total = analysed.stream().mapToInt(List::size).sum();
                Runnable loupePass = () -> {
                    for (BufferedImage img : images) {
                        List<Face> f = pipeline.analyse(List.of(img), options).getFirst();
                        if (f.size() < 0) throw new AssertionError();
                    }
                };
                int size = pipeline.detector().inputSize();
                List<float[]> canvases = new ArrayList<>();
                for (BufferedImage img : images) canvases.add(planar(Letterbox.fit(img.getWidth(), img.getHeight(), size).canvas(img), 127.5f, 128f));
                List<List<float[]>> crops = new ArrayList<>();
                for (List<Face> found : analysed) crops.add(found.stream().map(f -> planar(f.crop(), 127f, 128f)).toList());
                double[] ms = interleaved(loupePass, repo.folder(detector).resolve("model.onnx"), repo.folder(FaceFixtures.RECOGNIZER).resolve("model.onnx"),
                        size, canvases, crops);
                double loupe = ms[0], bare = ms[1];
                System.out.printf("| %s (%s) | %d | %.1f | %.1f | %.2f× |%n", detector, label(detector), total, loupe, bare, loupe / bare);
                if (detector.equals(FaceFixtures.SCRFD_500M)) bareFacesPerSecond = total / (bare * images.size() / 1000);
            }
        }
        endToEnd(files, modelsDir, bareFacesPerSecond);
    }

    private static String label(String model) {
        return model.equals(FaceFixtures.SCRFD_500M) ? "SCRFD-500MF" : "SCRFD-2.5GF";
    }

    private static List<Path> photos() throws Exception {
        List<Path> out = new ArrayList<>();
        for (Path dir : List.of(FaceFixtures.photos(), Fixtures.shared().resolve("data/faces-extra"))) {
            try (var list = Files.list(dir)) {
                out.addAll(list.filter(p -> p.toString().matches(".*\\.jpe?g")).sorted().toList());
            }
        }
        return out;
    }

    /**
     * Milliseconds per image of Loupe's pass and of the bare loop, the two alternating pass by
     * pass for about ten seconds each after three seconds of warm-up, so that the load of this
     * shared machine, which drifts over seconds, weighs on both alike (measured one after the
     * other, a drift between the two phases moved the ratio by ±0.3).
     *
     * <p>The bare loop is the same graphs with nothing around them, on the very tensors Loupe fed
     * them (made beforehand: the letterboxed photos, the aligned crops), since these graphs run
     * faster on zeros than on pictures: one detector run per image, one recogniser run per face.
     */
    private static double[] interleaved(Runnable loupe, Path detector, Path recognizer, int size, List<float[]> canvases, List<List<float[]>> crops) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<OnnxTensor> inputs = new ArrayList<>();
        List<List<OnnxTensor>> faces = new ArrayList<>();
        try (OrtSession det = env.createSession(detector.toString(), ModelRepository.sessionOptions());
             OrtSession rec = env.createSession(recognizer.toString(), ModelRepository.sessionOptions())) {
            for (float[] c : canvases) inputs.add(OnnxTensor.createTensor(env, FloatBuffer.wrap(c), new long[] {1, 3, size, size}));
            for (List<float[]> image : crops) {
                List<OnnxTensor> t = new ArrayList<>();
                for (float[] c : image) t.add(OnnxTensor.createTensor(env, FloatBuffer.wrap(c), new long[] {1, 3, 112, 112}));
                faces.add(t);
            }
            String detIn = det.getInputNames().iterator().next(), recIn = rec.getInputNames().iterator().next();
            Runnable bare = () -> {
                try {
                    for (int i = 0; i < inputs.size(); i++) {
                        det.run(Map.of(detIn, inputs.get(i))).close();
                        for (OnnxTensor face : faces.get(i)) rec.run(Map.of(recIn, face)).close();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            long warm = System.nanoTime();
            do {
                loupe.run();
                bare.run();
            } while (System.nanoTime() - warm < WARM_UP_NANOS);
            long loupeNanos = 0, bareNanos = 0;
            int passes = 0;
            while (loupeNanos + bareNanos < 2 * MEASURE_NANOS) {
                long t0 = System.nanoTime();
                loupe.run();
                long t1 = System.nanoTime();
                bare.run();
                long t2 = System.nanoTime();
                loupeNanos += t1 - t0;
                bareNanos += t2 - t1;
                passes++;
            }
            return new double[] {loupeNanos / 1e6 / passes / inputs.size(), bareNanos / 1e6 / passes / inputs.size()};
        } finally {
            inputs.forEach(OnnxTensor::close);
            faces.forEach(f -> f.forEach(OnnxTensor::close));
        }
    }

    /** RGB planes as {@code (value − mean) / std}, the layout both graphs take. */
    private static float[] planar(BufferedImage image, float mean, float std) {
        int w = image.getWidth(), h = image.getHeight(), plane = w * h;
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            out[i] = (((rgb[i] >> 16) & 0xff) - mean) / std;
            out[plane + i] = (((rgb[i] >> 8) & 0xff) - mean) / std;
            out[2 * plane + i] = ((rgb[i] & 0xff) - mean) / std;
        }
        return out;
    }

    /** Faces per second from batch submit to task completion, SCRFD-500MF, next to the bare model rate. */
    private static void endToEnd(List<Path> files, Path modelsDir, double bareFacesPerSecond) throws Exception {
        Path data = Files.createTempDirectory("loupe-bench-faces-");
        String key = "lpk_bench_key_0123456789";
        try (ImageHost host = new ImageHost();
             Loupe loupe = Loupe.start(new Settings(0, data, modelsDir, Fixtures.MODEL, true, 50L << 20, 100_000_000L,
                     1, 16, Optional.of(key), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE))) {
            Api api = new Api("http://127.0.0.1:" + loupe.port(), key, null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
            JsonNode col = api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "face_identity_extractor", "version": "v1", "input_mappings": {"image": "img"},
                       "parameters": {"detection_model": "scrfd_500m", "min_face_size": 10}}}""");
            StringBuilder ids = new StringBuilder();
            for (int i = 0; i < OBJECTS; i++) {
                String url = host.put("/img/" + i + ".jpg", Files.readAllBytes(files.get(i % files.size())));
                String id = api.ok("POST", "/v1/buckets/b/objects",
                        "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + url + "\"}]}").path("object_id").asText();
                ids.append(i == 0 ? "" : ",").append('"').append(id).append('"');
            }
            String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [" + ids + "]}").path("batch_id").asText();
            long t0 = System.nanoTime();
            String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
            JsonNode done = api.awaitTask(task, Duration.ofMinutes(30));
            double seconds = (System.nanoTime() - t0) / 1e9;
            long faces = api.ok("POST", "/v1/collections/" + col.path("collection_id").asText() + "/documents/list?limit=1", "{}")
                    .path("pagination").path("total").asLong();
            double rate = faces / seconds;
            System.out.println();
            System.out.println("| objects | faces | seconds | faces/s end-to-end | faces/s bare model | end-to-end / bare |");
            System.out.println("|---|---|---|---|---|---|");
            System.out.printf("| %d | %d | %.1f | %.1f | %.1f | %.0f%% |%n", OBJECTS, faces, seconds, rate, bareFacesPerSecond, 100 * rate / bareFacesPerSecond);
            if (!"COMPLETED".equals(done.path("status").asText())) System.out.println("task ended " + done);
        }
    }
}
