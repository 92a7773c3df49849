package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.inference.ocr.OcrEngine;
import dev.loupe.inference.ocr.OcrLine;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.ImageException;
import dev.loupe.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * OCR quality and speed, Loupe's {@link OcrEngine} (PP-OCRv4 through ONNX Runtime) next to
 * Tesseract 5 ({@code tesseract IMG stdout --psm 3 -l eng}, as a process), on the same images in
 * the same run: {@code ../shared/data/ocr} and the set {@code scripts/ocr_images.py} draws.
 *
 * <p>Quality: character error rate and exact line matches as {@link OcrScore} defines them (one
 * normalisation for both engines and the reference); a set's CER is its total edits over its total
 * reference characters. Speed: each image on its own, one after another, after a warm-up pass over
 * the whole set; median and p90 over the images of the timed passes (at least one, more until ten
 * seconds have passed). Loupe's time is {@code read} on the image decoded beforehand by Loupe's
 * {@link ImageDecoder}, as ingestion hands it over; Tesseract's is the whole process (start,
 * loading {@code eng.traineddata}, decoding the file, recognising), which is how it is used from
 * another program; its data file sits in the page cache after the warm-up.
 *
 * <p>Run with {@code scripts/bench.sh ocr}: arguments are the generated set's folder (default
 * {@code bench/ocr}) and how many worst images per engine and set to show (default 5).
 */
public final class OcrBenchmark {
    private static final long MEASURE_NANOS = 10_000_000_000L;
    private static final long TESSERACT_TIMEOUT_SECONDS = 120;

    /** One engine's reading of one image. */
    record Reading(String image, List<String> reference, List<String> lines, OcrScore score) {
    }

    /** An engine as the benchmark drives it: read one image, by its decoded pixels or its file. */
    private sealed interface Engine {
        String name();

        List<String> read(Sample sample) throws Exception;
    }

    private record Loupe(OcrEngine engine) implements Engine {
        public String name() {
            return "Loupe (PP-OCRv4, ONNX Runtime)";
        }

        public List<String> read(Sample sample) {
            return List.of(OcrLine.joined(engine.read(sample.image())));
        }
    }

    private record Tesseract(String version) implements Engine {
        public String name() {
            return "Tesseract " + version + " (--psm 3 -l eng)";
        }

        public List<String> read(Sample sample) throws Exception {
            Process p = new ProcessBuilder("tesseract", sample.file().toString(), "stdout", "--psm", "3", "-l", "eng")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // Read on the side, so that a tesseract that hangs with its output open still meets the timeout.
            var stdout = new FutureTask<>(() -> p.getInputStream().readAllBytes());
            Thread.ofVirtual().start(stdout);
            if (!p.waitFor(TESSERACT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("tesseract took over " + TESSERACT_TIMEOUT_SECONDS + " s on " + sample.file());
            }
            if (p.exitValue() != 0) throw new IllegalStateException("tesseract exited with " + p.exitValue() + " on " + sample.file());
            return List.of(new String(stdout.get(), StandardCharsets.UTF_8));
        }
    }

    private record Sample(String name, Path file, BufferedImage image, List<String> reference) {
    }

    private record Result(Engine engine, List<Reading> readings, double[] millis) {
        OcrScore total() {
            return readings.stream().map(Reading::score).reduce(new OcrScore(0, 0, 0, 0), OcrScore::plus);
        }
    }

    public static void main(String[] args) throws Exception {
        Path generated = Path.of(args.length > 0 ? args[0] : "bench/ocr");
        int worst = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Map<String, Path> sets = new java.util.LinkedHashMap<>();
        sets.put("../shared/data/ocr", Fixtures.shared().resolve("data/ocr"));
        sets.put("generated (" + generated + ")", generated);

        Tesseract tesseract = new Tesseract(tesseractVersion());
        System.out.println("date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS));
        System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel()
                + "; java " + System.getProperty("java.vm.version"));
        System.out.println("command: scripts/bench.sh ocr (dev.loupe.bench.OcrBenchmark " + generated + " " + worst + ")");
        System.out.println();
        try (OcrEngine ocr = OcrEngine.bundled()) {
            for (Map.Entry<String, Path> set : sets.entrySet()) report(set.getKey(), samples(set.getValue()), List.of(new Loupe(ocr), tesseract), worst);
        }
    }

    private static void report(String setName, List<Sample> samples, List<Engine> engines, int worst) throws Exception {
        List<Result> results = new ArrayList<>();
        for (Engine engine : engines) results.add(run(engine, samples));
        int characters = results.getFirst().total().characters(), lines = results.getFirst().total().lines();
        System.out.printf("%s: %d images, %d reference lines, %d reference characters%n%n", setName, samples.size(), lines, characters);
        System.out.println("| engine | CER | lines exact (any order) | ms/image median | ms/image p90 |");
        System.out.println("|---|---|---|---|---|");
        for (Result r : results) {
            OcrScore t = r.total();
            System.out.printf("| %s | %.2f %% (%d edits) | %.1f %% (%d/%d) | %.0f | %.0f |%n", r.engine().name(), 100 * t.cer(), t.edits(),
                    100 * t.lineAccuracy(), t.matched(), t.lines(), percentile(r.millis(), 0.5), percentile(r.millis(), 0.9));
        }
        System.out.println();
        System.out.println("Where the edits come from: the CER again with the engine's lines put in the reference's order"
                + " (each reference line in turn takes the nearest engine line not yet taken; those left over follow), with every"
                + " space removed from both sides, and both; and the images whose lines, spaces aside, come in another order.");
        System.out.println();
        System.out.println("| engine | CER, order aside | CER, spaces ignored | CER, both | images with lines out of order |");
        System.out.println("|---|---|---|---|---|");
        for (Result r : results) {
            OcrScore reordered = sum(r, x -> OcrScore.of(x.reference(), inReferenceOrder(x.reference(), x.lines())));
            OcrScore spaceless = sum(r, x -> OcrScore.of(withoutSpaces(x.reference()), withoutSpaces(x.lines())));
            OcrScore both = sum(r, x -> OcrScore.of(withoutSpaces(x.reference()), inReferenceOrder(withoutSpaces(x.reference()), withoutSpaces(x.lines()))));
            List<String> disordered = r.readings().stream().filter(OcrBenchmark::outOfOrder).map(Reading::image).toList();
            System.out.printf("| %s | %.2f %% | %.2f %% | %.2f %% | %d%s |%n", r.engine().name(), 100 * reordered.cer(), 100 * spaceless.cer(),
                    100 * both.cer(), disordered.size(), disordered.isEmpty() ? "" : " (" + String.join(", ", disordered) + ")");
        }
        System.out.println();
        for (Result r : results) printWorst(r, worst);
    }

    /** The set's images in the order of its {@code ground_truth.json}, decoded as ingestion decodes them. */
    private static List<Sample> samples(Path dir) throws IOException, ImageException {
        Path truthFile = dir.resolve("ground_truth.json");
        if (!Files.isRegularFile(truthFile)) throw new IllegalArgumentException("no ground_truth.json in " + dir.toAbsolutePath());
        JsonNode truth = Json.MAPPER.readTree(truthFile.toFile());
        ImageDecoder decoder = new ImageDecoder(100_000_000L);
        List<Sample> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : truth.properties()) {
            Path file = dir.resolve(e.getKey());
            List<String> lines = new ArrayList<>();
            e.getValue().forEach(l -> lines.add(l.asText()));
            // No subsampling: the minimum size asked for is larger than any image here.
            BufferedImage image = decoder.decode(Files.readAllBytes(file), 1 << 16, 1 << 16).image();
            out.add(new Sample(e.getKey(), file, image, List.copyOf(lines)));
        }
        return out;
    }

    /** A warm-up pass, whose readings are scored, then timed passes until {@link #MEASURE_NANOS}. */
    private static Result run(Engine engine, List<Sample> samples) throws Exception {
        List<Reading> readings = new ArrayList<>();
        for (Sample s : samples) {
            List<String> lines = engine.read(s);
            readings.add(new Reading(s.name(), s.reference(), OcrScore.normalise(lines), OcrScore.of(s.reference(), lines)));
        }
        List<Double> millis = new ArrayList<>();
        long t0 = System.nanoTime();
        do {
            for (Sample s : samples) {
                long start = System.nanoTime();
                if (engine.read(s).isEmpty()) throw new IllegalStateException("no text list from " + engine.name());
                millis.add((System.nanoTime() - start) / 1e6);
            }
        } while (System.nanoTime() - t0 < MEASURE_NANOS);
        return new Result(engine, readings, millis.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static void printWorst(Result r, int count) {
        List<Reading> worst = r.readings().stream().filter(x -> x.score().edits() > 0)
                .sorted(Comparator.comparingDouble((Reading x) -> x.score().cer()).reversed()).limit(count).toList();
        if (worst.isEmpty()) return;
        System.out.println("Worst images, " + r.engine().name() + " (lines separated by ⏎):");
        System.out.println();
        System.out.println("| image | CER | reference | read |");
        System.out.println("|---|---|---|---|");
        for (Reading x : worst) {
            System.out.printf("| %s | %.1f %% | %s | %s |%n", x.image(), 100 * x.score().cer(), cell(OcrScore.normalise(x.reference())), cell(x.lines()));
        }
        System.out.println();
    }

    private static List<String> withoutSpaces(List<String> lines) {
        return OcrScore.normalise(lines).stream().map(l -> l.replace(" ", "")).toList();
    }

    private static OcrScore sum(Result r, java.util.function.Function<Reading, OcrScore> score) {
        return r.readings().stream().map(score).reduce(new OcrScore(0, 0, 0, 0), OcrScore::plus);
    }

    /** The engine's lines reordered: each reference line in turn takes the nearest line not yet taken; the rest follow. */
    private static List<String> inReferenceOrder(List<String> reference, List<String> read) {
        List<String> left = new ArrayList<>(OcrScore.normalise(read)), out = new ArrayList<>();
        for (String line : OcrScore.normalise(reference)) {
            if (left.isEmpty()) break;
            String nearest = left.stream().min(Comparator.comparingInt(l -> OcrScore.levenshtein(line, l))).orElseThrow();
            left.remove(nearest);
            out.add(nearest);
        }
        out.addAll(left);
        return out;
    }

    /**
     * Whether the reference lines that the engine read exactly, spaces aside, come in another
     * order than the reference's (exact lines only, so that a misread line cannot pass for a move).
     */
    private static boolean outOfOrder(Reading r) {
        List<String> read = new ArrayList<>(withoutSpaces(r.lines()));
        int last = -1;
        for (String line : withoutSpaces(r.reference())) {
            int at = read.indexOf(line);
            if (at < 0) continue;
            read.set(at, null);
            if (at < last) return true;
            last = at;
        }
        return false;
    }

    private static String cell(List<String> lines) {
        return String.join(" ⏎ ", lines).replace("|", "\\|");
    }

    private static double percentile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static String tesseractVersion() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("tesseract", "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)", e);
        }
        String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        p.waitFor();
        return first.replaceFirst("^tesseract\\s*", "");
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
