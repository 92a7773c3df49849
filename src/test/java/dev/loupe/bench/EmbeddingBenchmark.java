package dev.loupe.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.Vectors;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.testing.Images;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Image and text embedding speed on the SigLIP-B/16-224 architecture with random
 * weights (scripts/siglip_random.py), fp32, dynamic int8 and static int8 (calibrated by
 * {@link Int8Calibration}), through Loupe's encoder (preprocessing included) and through a
 * bare ONNX Runtime loop on the same graph and session options, each beside an in-run MatMul
 * ceiling of its precision, in one run so the ratios are comparable on a noisy machine. Then
 * the session settings the peers tune, one at a time; text queries cold, batched and cached;
 * and the cosine between fp32 and int8 embeddings of the same images (indicative only:
 * random weights lack trained SigLIP's outlier activations).
 *
 * <p>Run with {@code scripts/bench.sh embeddings}; prints Markdown tables.
 */
public final class EmbeddingBenchmark {
    private static final int[] BATCHES = {1, 8, 32};
    /** The batch the session settings are compared at, one by one. */
    private static final int SETTINGS_BATCH = 8;
    /** Multiply-adds × 2 of one SigLIP-B/16-224 image pass. */
    private static final double VIT_B16_GFLOP = 35.4;
    private static final List<String> GRAPHS = List.of("siglip-random", "siglip-random-int8", "siglip-random-int8-static");

    /** Multiply-adds × 2 of one run of the ceiling graphs. */
    private static final double CEILING_GFLOP = 2.0 * 8 * 196 * 768 * 3072 / 1e9;

    /**
     * A ceiling graph: a single MatMul of the ViT MLP's shape, in fp32 or in the int8 graphs'
     * dynamic-quantisation pattern, with Loupe's session options. It is timed in turns with the
     * graph it is the reference for, so that both see the same moment of this shared machine.
     */
    private record Ceiling(OrtSession session, OnnxTensor x) implements Runnable, AutoCloseable {
        static Ceiling open(Path graph) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            return new Ceiling(env.createSession(graph.toString(), ModelRepository.sessionOptions()),
                    OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[8 * 196 * 768]), new long[] {8, 196, 768}));
        }

        @Override
        public void run() {
            try (OrtSession.Result r = session.run(Map.of("x", x))) {
                if (r.size() == 0) throw new IllegalStateException("no output");
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        /** GFLOP/s (counting the fp32 work) from the median milliseconds of one run. */
        static double gflops(double ms) {
            return CEILING_GFLOP / (ms / 1000);
        }

        @Override
        public void close() throws OrtException {
            x.close();
            session.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args.length > 0 ? args[0] : "bench/models");
        boolean textOnly = args.length > 1 && args[1].equals("text"); // the text table alone
        List<BufferedImage> images = new ArrayList<>();
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        for (int i = 0; i < 32; i++) images.add(Images.dominant(Images.BASIC.get(colours.get(i % colours.size())), 640, 480, i));
        Map<String, float[][]> byGraph = new java.util.LinkedHashMap<>();
        List<String> graphs = GRAPHS.stream().filter(g -> Files.isRegularFile(models.resolve(g).resolve("visual/model.onnx"))).toList();
        // The repository sets ONNX Runtime up on a large-stack thread; create no session before it.
        try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo);
             Ceiling fp32Ceiling = Ceiling.open(models.resolve("matmul-ceiling.onnx"));
             Ceiling int8Ceiling = Ceiling.open(models.resolve("matmul-ceiling-int8.onnx"))) {
            if (!textOnly) images(models, graphs, encoders, images, fp32Ceiling, int8Ceiling, byGraph);
            System.out.println("| graph | text, cold: Loupe p50 ms | bare ORT p50 ms | Loupe / bare | batch 8 ms/query | batch 32 ms/query | repeated query from the cache ms |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String model : graphs.stream().filter(g -> !g.endsWith("static")).toList()) text(encoders.encoder(model), models.resolve(model));
        }
        if (textOnly) return;
        float[][] fp32 = byGraph.get("siglip-random");
        System.out.println();
        for (String model : graphs.subList(1, graphs.size())) {
            float[][] other = byGraph.get(model);
            double min = 1, sum = 0;
            for (int i = 0; i < fp32.length; i++) {
                double c = Vectors.dot(fp32[i], other[i]);
                min = Math.min(min, c);
                sum += c;
            }
            System.out.printf("fp32 vs %s cosine over %d images: mean %.4f, min %.4f (random weights: indicative only)%n",
                    model, fp32.length, sum / fp32.length, min);
        }
    }

    /** The image table, each graph beside its ceiling, then the session settings one by one. */
    private static void images(Path models, List<String> graphs, DualEncoders encoders, List<BufferedImage> images,
            Ceiling fp32Ceiling, Ceiling int8Ceiling, Map<String, float[][]> byGraph) throws Exception {
        System.out.println("Ceiling: one MatMul [8,196,768] x [768,3072] with Loupe's session options, fp32 for the fp32 graph and "
                + "DynamicQuantizeMatMul for the int8 ones, timed in turns with each row (GFLOP/s count the fp32 work).");
        System.out.println();
        System.out.println("| graph | batch | Loupe ms/image | Loupe, tensors prepared beside the model ms/image | bare ORT ms/image | Loupe / bare | overlapped / bare | bare GFLOP/s | ceiling GFLOP/s | bare / ceiling |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (String model : graphs) {
            DualEncoder encoder = encoders.encoder(model);
            Ceiling ceiling = model.contains("int8") ? int8Ceiling : fp32Ceiling;
            try (OrtSession bare = OrtEnvironment.getEnvironment().createSession(visual(models, model), ModelRepository.sessionOptions());
                 var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int batch : BATCHES) {
                    List<BufferedImage> some = images.subList(0, batch);
                    // In turns, so that a slow moment of this shared machine falls on all four alike.
                    double[] ms = interleaved(batch, () -> encoder.embedImages(some), new Overlapped(encoder, some, executor),
                            bareRun(bare, batch, null), ceiling);
                    double loupe = ms[0], overlapped = ms[1], raw = ms[2];
                    double gflops = VIT_B16_GFLOP / (raw / 1000), top = Ceiling.gflops(ms[3] * batch);
                    System.out.printf("| %s | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.0f | %.0f | %.0f%% |%n", model, batch, loupe, overlapped, raw,
                            loupe / raw, overlapped / raw, gflops, top, 100 * gflops / top);
                }
            }
            byGraph.put(model, encoder.embedImages(images.subList(0, 16)));
        }
        System.out.println();
        sessionSettings(models, graphs.stream().filter(g -> !g.endsWith("static")).toList());
        System.out.println();
    }

    private static String visual(Path models, String model) {
        return models.resolve(model).resolve("visual/model.onnx").toString();
    }

    /** A change to Loupe's session options (ModelRepository.sessionOptions), measured on its own. */
    private record Setting(String what, Tweak tweak) {
        interface Tweak {
            void apply(OrtSession.SessionOptions o) throws OrtException;
        }
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("Loupe's options (all graph optimisations, one intra-op thread per core, no spinning)", o -> { }),
            new Setting("no graph optimisation", o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT)),
            new Setting("basic optimisations only (constant folding, redundant nodes)", o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT)),
            new Setting("extended: the transformer fusions (attention, GELU, LayerNorm), no layout changes",
                    o -> o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT)),
            new Setting("intra-op threads spin while idle", o -> o.addConfigEntry("session.intra_op.allow_spinning", "1")),
            new Setting("one intra-op thread", o -> o.setIntraOpNumThreads(1)),
            new Setting("parallel execution, two inter-op threads", o -> {
                o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.PARALLEL);
                o.setInterOpNumThreads(2);
            }),
            new Setting("no CPU memory arena", o -> o.setCPUArenaAllocator(false)),
            new Setting("no memory pattern planning", o -> o.setMemoryPatternOptimization(false)));

    /**
     * The image tower's bare loop under each setting at {@link #SETTINGS_BATCH}, beside Loupe's
     * options; then the graph optimised once and saved (loaded again with no optimisation), and
     * the input in a direct buffer made once and reused (nothing copied per call).
     */
    private static void sessionSettings(Path models, List<String> graphs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.printf("Session settings one by one, bare image tower at batch %d, all timed in turns:%n%n", SETTINGS_BATCH);
        System.out.println("| graph | setting | session start ms | bare ms/image | / Loupe's options |");
        System.out.println("|---|---|---|---|---|");
        for (String model : graphs) {
            List<String> names = new ArrayList<>();
            List<Double> starts = new ArrayList<>();
            List<Runnable> runs = new ArrayList<>();
            List<AutoCloseable> open = new ArrayList<>();
            Path optimised = Files.createTempFile("loupe-optimised-", ".onnx");
            try {
                for (Setting setting : SETTINGS) {
                    OrtSession.SessionOptions o = ModelRepository.sessionOptions();
                    setting.tweak().apply(o);
                    long t0 = System.nanoTime();
                    OrtSession s = env.createSession(visual(models, model), o);
                    starts.add((System.nanoTime() - t0) / 1e6);
                    open.add(s);
                    names.add(setting.what());
                    runs.add(bareRun(s, SETTINGS_BATCH, null));
                }
                OrtSession.SessionOptions save = ModelRepository.sessionOptions();
                save.setOptimizedModelFilePath(optimised.toString());
                long t0 = System.nanoTime();
                env.createSession(visual(models, model), save).close();
                double saving = (System.nanoTime() - t0) / 1e6;
                OrtSession.SessionOptions load = ModelRepository.sessionOptions();
                load.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
                t0 = System.nanoTime();
                OrtSession reloaded = env.createSession(optimised.toString(), load);
                starts.add((System.nanoTime() - t0) / 1e6);
                open.add(reloaded);
                names.add(String.format("graph optimised once and saved (%.0f ms to write, %d MB), loaded with no optimisation", saving, Files.size(optimised) >> 20));
                runs.add(bareRun(reloaded, SETTINGS_BATCH, null));
                FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(SETTINGS_BATCH * 3 * 224 * 224 * Float.BYTES)
                        .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
                direct.put(pixels(SETTINGS_BATCH)).rewind();
                OnnxTensor kept = OnnxTensor.createTensor(env, direct, new long[] {SETTINGS_BATCH, 3, 224, 224});
                open.add(kept);
                names.add("input in a direct buffer, one tensor reused for every call (Loupe's session)");
                starts.add(Double.NaN);
                runs.add(bareRun((OrtSession) open.getFirst(), SETTINGS_BATCH, kept));
                double[] ms = interleaved(SETTINGS_BATCH, runs.toArray(Runnable[]::new));
                for (int i = 0; i < names.size(); i++) {
                    System.out.printf("| %s | %s | %s | %.1f | %.2f |%n", model, names.get(i),
                            starts.get(i).isNaN() ? "-" : String.format("%.0f", starts.get(i)), ms[i], ms[i] / ms[0]);
                }
            } finally {
                for (AutoCloseable c : open.reversed()) c.close();
                Files.deleteIfExists(optimised);
            }
        }
    }

    /**
     * Ingestion's path, one batch per run: while the model embeds one batch from tensors
     * ({@link DualEncoder#embedImageTensors}), the next batch's tensors are prepared on another
     * thread, as the worker's preparing threads do.
     */
    private static final class Overlapped implements Runnable {
        private final DualEncoder encoder;
        private final List<BufferedImage> batch;
        private final java.util.concurrent.ExecutorService executor;
        private List<float[]> ready;

        Overlapped(DualEncoder encoder, List<BufferedImage> batch, java.util.concurrent.ExecutorService executor) {
            this.encoder = encoder;
            this.batch = batch;
            this.executor = executor;
        }

        private List<float[]> prepare() {
            return batch.stream().map(encoder::imageTensor).toList();
        }

        @Override
        public void run() {
            if (ready == null) ready = prepare();
            var next = executor.submit(this::prepare);
            encoder.embedImageTensors(ready);
            try {
                ready = next.get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Medians, per image, of calls embedding {@code batch} images each, timed in turns over the same rounds. */
    private static double[] interleaved(int batch, Runnable... calls) {
        for (Runnable call : calls) call.run(); // warm-up: first run allocates the arena and picks kernels
        int rounds = Math.max(5, 64 / batch);
        double[][] times = new double[calls.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < calls.length; c++) {
                long t0 = System.nanoTime();
                calls[c].run();
                times[c][r] = (System.nanoTime() - t0) / 1e6 / batch;
            }
        }
        double[] medians = new double[calls.length];
        for (int c = 0; c < calls.length; c++) medians[c] = median(times[c]);
        return medians;
    }

    /**
     * One {@code session.run} alone on a tensor prepared beforehand: {@code kept}, or, when null, a
     * heap array wrapped anew each call (which ONNX Runtime copies in, as Loupe's path does).
     */
    private static Runnable bareRun(OrtSession session, int batch, OnnxTensor kept) {
        float[] pixels = pixels(batch);
        long[] shape = {batch, 3, 224, 224};
        String input = session.getInputNames().iterator().next();
        return () -> {
            try (OnnxTensor t = kept != null ? null : OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(pixels), shape);
                 OrtSession.Result r = session.run(Map.of(input, kept != null ? kept : t))) {
                if (r.size() == 0) throw new IllegalStateException("no output");
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static float[] pixels(int batch) {
        float[] pixels = new float[batch * 3 * 224 * 224];
        Random random = new Random(batch);
        for (int i = 0; i < pixels.length; i++) pixels[i] = random.nextInt(-100, 100) / 100f;
        return pixels;
    }

    /**
     * One row of the text table: cold queries (each new, so the cache does not answer) through
     * Loupe's encoder (tokenising, tensor, model, normalising) and the bare text tower on the same
     * token ids, as medians; per-query time in batches; and a repeated query answered by a
     * cache of the retriever's kind (Memo, keyed by model and text, its vector copied out).
     */
    private static void text(DualEncoder encoder, Path dir) throws Exception {
        int n = 40;
        List<String> queries = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 4 * n; i++) {
            StringBuilder q = new StringBuilder();
            for (int w = 0, words = 1 + random.nextInt(12); w < words; w++) q.append(w == 0 ? "" : " ").append('w').append(random.nextInt(31000));
            queries.add(q.toString());
        }
        double[] loupe = new double[n];
        double[] bare = new double[n];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(dir.resolve("textual/model.onnx").toString(), ModelRepository.sessionOptions())) {
            String input = s.getInputNames().iterator().next();
            // In turns, query by query, so that both see the same moments of the machine.
            for (int i = -4; i < n; i++) {
                String q = queries.get(4 + i); // the first four warm up
                long t0 = System.nanoTime();
                encoder.embedText(q);
                if (i >= 0) loupe[i] = (System.nanoTime() - t0) / 1e6;
                long[] ids = encoder.tokenize(q);
                t0 = System.nanoTime();
                try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {1, ids.length});
                     OrtSession.Result r = s.run(Map.of(input, t))) {
                    if (r.size() == 0) throw new IllegalStateException("no output");
                }
                if (i >= 0) bare[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        double[] batched = new double[2];
        int[] sizes = {8, 32};
        for (int b = 0; b < sizes.length; b++) {
            List<String> some = queries.subList(4 + n, 4 + n + sizes[b]);
            encoder.embedTexts(some);
            long t0 = System.nanoTime();
            encoder.embedTexts(some);
            batched[b] = (System.nanoTime() - t0) / 1e6 / sizes[b];
        }
        dev.loupe.inference.Memo<String, float[]> cache = dev.loupe.inference.Memo.bounded(1024);
        String key = encoder.name() + "\n" + queries.getFirst();
        cache.get(key, k -> encoder.embedText(queries.getFirst()));
        int hits = 100_000;
        long t0 = System.nanoTime();
        float sink = 0;
        for (int i = 0; i < hits; i++) sink += cache.get(key, k -> encoder.embedText(queries.getFirst())).clone()[i % 768];
        double cached = (System.nanoTime() - t0) / 1e6 / hits;
        if (Float.isNaN(sink)) throw new IllegalStateException("NaN in a cached vector");
        double loupeP50 = median(loupe), bareP50 = median(bare);
        System.out.printf("| %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.4f |%n", encoder.name(), loupeP50, bareP50, loupeP50 / bareP50,
                batched[0], batched[1], cached);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
