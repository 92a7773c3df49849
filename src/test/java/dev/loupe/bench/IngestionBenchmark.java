package dev.loupe.bench;

import dev.loupe.index.VectorQuantization;
import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.Loupe;
import dev.loupe.config.Settings;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.clip.DualEncoder;
import dev.loupe.inference.clip.DualEncoders;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * End-to-end ingestion through the HTTP API: 500 objects whose image URLs point at
 * 4000×3000 JPEGs on a loopback server, one batch, from submit to task completion, next
 * to the model-only rate (batches of 16 already-decoded images through the same encoder)
 * measured in the same run.
 *
 * <p>Run with {@code scripts/bench.sh ingestion [MODEL]} (default siglip-random-int8).
 */
public final class IngestionBenchmark {
    private static final int OBJECTS = 500;

    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]);
        Path models = Path.of(args[1]);
        String model = args.length > 2 ? args[2] : "siglip-random-int8";
        List<byte[]> files = new ArrayList<>();
        try (var list = Files.list(images.resolve("ingest"))) {
            for (Path p : list.sorted().toList()) files.add(Files.readAllBytes(p));
        }
        double modelOnly = modelOnlyRate(models, model, images);
        Path data = Files.createTempDirectory("loupe-bench-");
        String key = "lpk_bench_key_0123456789";
        try (ImageHost host = new ImageHost();
             Loupe loupe = Loupe.start(new Settings(0, data, models, model, true, 50L << 20, 100_000_000L,
                     1, 16, Optional.of(key), Optional.empty(), true, "http://127.0.0.1:9", VectorQuantization.NONE))) {
            Api api = new Api("http://127.0.0.1:" + loupe.port(), key, null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
            StringBuilder ids = new StringBuilder();
            for (int i = 0; i < OBJECTS; i++) {
                String url = host.put("/img/" + i + ".jpg", files.get(i % files.size()));
                String id = api.ok("POST", "/v1/buckets/b/objects",
                        "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + url + "\"}]}").path("object_id").asText();
                ids.append(i == 0 ? "" : ",").append('"').append(id).append('"');
            }
            String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [" + ids + "]}").path("batch_id").asText();
            long t0 = System.nanoTime();
            String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
            JsonNode done = api.awaitTask(task, Duration.ofMinutes(30));
            double seconds = (System.nanoTime() - t0) / 1e9;
            double rate = OBJECTS / seconds;
            System.out.printf("| %s | %d | %.1f | %.2f | %.2f | %.0f%% |%n", model, OBJECTS, seconds, rate, modelOnly, 100 * rate / modelOnly);
            if (!"COMPLETED".equals(done.path("status").asText())) System.out.println("task ended " + done);
        }
    }

    /** Images per second through the encoder alone, in batches of 16, on decoded images. */
    private static double modelOnlyRate(Path models, String model, Path images) throws Exception {
        try (ModelRepository repo = new ModelRepository(models); DualEncoders encoders = new DualEncoders(repo)) {
            DualEncoder encoder = encoders.encoder(model);
            BufferedImage img = ImageIO.read(images.resolve("photo_baseline.jpg").toFile());
            BufferedImage small = dev.loupe.media.Resampler.resize(img, 640, 480, dev.loupe.media.Resampler.Filter.BILINEAR);
            List<BufferedImage> batch = java.util.Collections.nCopies(16, small);
            encoder.embedImages(batch);
            long t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() - t0 < 20_000_000_000L) {
                encoder.embedImages(batch);
                n += batch.size();
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
