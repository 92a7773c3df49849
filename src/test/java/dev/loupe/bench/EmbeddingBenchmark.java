package dev.loupe.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.Vectors;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Image and text embedding speed on the SigLIP-B/16-224 architecture with random
 * weights (scripts/siglip_random.py), fp32 and int8, through Loupe's encoder
 * (preprocessing included) and through a bare ONNX Runtime loop on the same graph and
 * session options, in one run so the ratios are comparable on a noisy machine. Also
 * the cosine between fp32 and int8 embeddings of the same images (indicative only:
 * random weights lack trained SigLIP's outlier activations).
 *
 * <p>Run with {@code scripts/bench.sh embeddings}; prints a Markdown table.
 */
public final class EmbeddingBenchmark {
    private static final int[] BATCHES = {1, 8, 32};
    /** Multiply-adds × 2 of one SigLIP-B/16-224 image pass. */
    private static final double VIT_B16_GFLOP = 35.4;

    private static double matmulCeiling(Path graph) throws Exception {
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(graph.toString(), ModelRepository.sessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(new float[8 * 196 * 768]),
                     new long[] {8, 196, 768})) {
            Runnable run = () -> {
                try (OrtSession.Result r = s.run(Map.of("x", x))) {
                    if (r.size() == 0) throw new IllegalStateException("no output");
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException(e);
                }
            };
            double ms = perImage(run, 1);
            return 2.0 * 8 * 196 * 768 * 3072 / (ms / 1000) / 1e9;
        }
    }

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args.length > 0 ? args[0] : "bench/models");
        List<BufferedImage> images = new ArrayList<>();
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        for (int i = 0; i < 32; i++) images.add(Images.dominant(Images.BASIC.get(colours.get(i % colours.size())), 640, 480, i));
        Map<String, float[][]> byPrecision = new java.util.LinkedHashMap<>();
        Map<String, double[]> textTimes = new java.util.LinkedHashMap<>();
        // The repository sets ONNX Runtime up on a large-stack thread; create no session before it.
        try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo)) {
            double ceiling = matmulCeiling(models.resolve("matmul-ceiling.onnx"));
            System.out.printf("MatMul ceiling ([8,196,768] x [768,3072], same session options): %.0f GFLOP/s%n%n", ceiling);
            System.out.println("| graph | batch | Loupe ms/image | Loupe, tensors prepared beside the model ms/image | bare ORT ms/image | Loupe / bare | overlapped / bare | bare GFLOP/s (% of ceiling) |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (String model : List.of("siglip-random", "siglip-random-int8")) {
                DualEncoder encoder = encoders.encoder(model);
                try (OrtSession bare = OrtEnvironment.getEnvironment().createSession(
                        models.resolve(model).resolve("visual/model.onnx").toString(), ModelRepository.sessionOptions())) {
                    for (int batch : BATCHES) {
                        double loupe = perImage(() -> encoder.embedImages(images.subList(0, batch)), batch);
                        double overlapped = overlapped(encoder, images.subList(0, batch));
                        double raw = perImage(() -> runBare(bare, batch), batch);
                        double gflops = VIT_B16_GFLOP / (raw / 1000);
                        System.out.printf("| %s | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.0f (%.0f%%) |%n", model, batch, loupe, overlapped, raw,
                                loupe / raw, overlapped / raw, gflops, 100 * gflops / ceiling);
                    }
                }
                byPrecision.put(model, encoder.embedImages(images.subList(0, 16)));
                textTimes.put(model, textMillis(encoder, models.resolve(model)));
            }
        }
        System.out.println();
        System.out.println("| graph | text: Loupe ms/query | text: bare ORT ms/query |");
        System.out.println("|---|---|---|");
        textTimes.forEach((m, t) -> System.out.printf("| %s | %.1f | %.1f |%n", m, t[0], t[1]));
        float[][] fp32 = byPrecision.get("siglip-random"), int8 = byPrecision.get("siglip-random-int8");
        double min = 1, sum = 0;
        for (int i = 0; i < fp32.length; i++) {
            double c = Vectors.dot(fp32[i], int8[i]);
            min = Math.min(min, c);
            sum += c;
        }
        System.out.printf("%nfp32 vs int8 cosine over %d images: mean %.4f, min %.4f (random weights: indicative only)%n",
                fp32.length, sum / fp32.length, min);
    }

    /**
     * Ingestion's path: while the model embeds one batch from tensors ({@link DualEncoder#embedImageTensors}),
     * the next batch's tensors are prepared on another thread, as the worker's preparing threads do;
     * milliseconds per image over several batches.
     */
    private static double overlapped(DualEncoder encoder, List<BufferedImage> batch) throws Exception {
        int rounds = Math.max(4, 64 / batch.size());
        java.util.concurrent.Callable<List<float[]>> prepare = () -> batch.stream().map(encoder::imageTensor).toList();
        List<float[]> ready = prepare.call();
        encoder.embedImageTensors(ready);
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                var next = executor.submit(prepare);
                encoder.embedImageTensors(ready);
                ready = next.get();
            }
            return (System.nanoTime() - t0) / 1e6 / rounds / batch.size();
        }
    }

    /** Median over repetitions of the time per image of one call embedding {@code batch} images. */
    private static double perImage(Runnable call, int batch) {
        call.run(); // warm-up: first run allocates the arena and picks kernels
        int reps = Math.max(3, 32 / batch);
        double[] times = new double[reps];
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            call.run();
            times[r] = (System.nanoTime() - t0) / 1e6 / batch;
        }
        java.util.Arrays.sort(times);
        return times[reps / 2];
    }

    private static void runBare(OrtSession session, int batch) {
        float[] pixels = new float[batch * 3 * 224 * 224];
        new Random(batch).ints(pixels.length, -100, 100).forEach(new java.util.function.IntConsumer() {
            int i;

            @Override
            public void accept(int v) {
                pixels[i++] = v / 100f;
            }
        });
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(pixels), new long[] {batch, 3, 224, 224});
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), t))) {
            if (r.size() == 0) throw new IllegalStateException("no output");
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] textMillis(DualEncoder encoder, Path dir) throws Exception {
        String[] queries = {"w1 w2 w3", "w10 w20 w30 w40 w50", "w7", "w100 w200 w300 w400 w500 w600 w700 w800"};
        for (String q : queries) encoder.embedText(q);
        int n = 40;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) encoder.embedText(queries[i % queries.length] + " w" + i);
        double loupe = (System.nanoTime() - t0) / 1e6 / n;
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(dir.resolve("textual/model.onnx").toString(), ModelRepository.sessionOptions())) {
            long[] ids = new long[64];
            java.util.Arrays.fill(ids, 1);
            Runnable run = () -> {
                try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), LongBuffer.wrap(ids), new long[] {1, 64});
                     OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
                    if (r.size() == 0) throw new IllegalStateException("no output");
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException(e);
                }
            };
            run.run();
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) run.run();
            return new double[] {loupe, (System.nanoTime() - t1) / 1e6 / n};
        }
    }
}
