package dev.loupe.bench;

import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Thumbnailer;
import dev.loupe.media.TurboJpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * 640 px JPEG thumbnails (quality 85) of 4000×3000 JPEGs: Loupe with libjpeg-turbo's DCT
 * scaling, Loupe with ImageIO alone, and the {@code vipsthumbnail} and {@code ffmpeg}
 * commands on the same files, in one run. The commands' times include their process
 * start, as a user running them would see. Median of 7 after a warm-up.
 *
 * <p>Run with {@code scripts/bench.sh thumbnails}; prints a Markdown table.
 */
public final class ThumbnailBenchmark {
    private static final int RUNS = 7;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/images");
        ImageDecoder fast = new ImageDecoder(200_000_000L, TurboJpeg.load());
        ImageDecoder imageIo = new ImageDecoder(200_000_000L, Optional.empty());
        System.out.println("| file | Loupe, libjpeg-turbo ms | Loupe, ImageIO ms | vipsthumbnail ms | ffmpeg ms | Loupe-turbo / vips |");
        System.out.println("|---|---|---|---|---|---|");
        for (String name : List.of("photo_baseline.jpg", "photo_progressive.jpg")) {
            Path file = dir.resolve(name);
            byte[] bytes = Files.readAllBytes(file);
            double turbo = TurboJpeg.load().isPresent() ? median(() -> Thumbnailer.jpeg(fast.decode(bytes, 640, 224).image())) : Double.NaN;
            double io = median(() -> Thumbnailer.jpeg(imageIo.decode(bytes, 640, 224).image()));
            double vips = median(() -> run("vipsthumbnail", file.toString(), "-s", "640", "-o", "/tmp/loupe-bench-vips.jpg[Q=85]"));
            double ffmpeg = median(() -> run("ffmpeg", "-loglevel", "error", "-y", "-i", file.toString(), "-vf", "scale=640:-1",
                    "-q:v", "3", "/tmp/loupe-bench-ffmpeg.jpg"));
            System.out.printf("| %s | %.0f | %.0f | %.0f | %.0f | %.2f |%n", name, turbo, io, vips, ffmpeg, turbo / vips);
        }
    }

    @FunctionalInterface
    private interface Work {
        Object run() throws Exception;
    }

    private static double median(Work w) throws Exception {
        w.run();
        double[] t = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            w.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[RUNS / 2];
    }

    private static Object run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        return out;
    }
}
