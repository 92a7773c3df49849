package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.VisionStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Ingestion next to a slow vision-language provider: a stand-in that takes 2 s per call, at
 * {@code --vlm-concurrency} 1, 4 and 16. For each, a multimodal collection asking for
 * descriptions of 32 images, and beside it an image_extractor collection of 200 images, timed
 * alone first and then while the provider calls are in flight. Objects per second through the
 * provider should follow the concurrency limit (ideal: limit / 2 s), and the image collection
 * should take as long beside them as alone. Fixture colour encoder: the model's own speed is
 * not what is measured here.
 *
 * <p>Run with {@code scripts/bench.sh providers}.
 */
public final class ProviderBenchmark {
    private static final int DESCRIBED = 32;
    private static final int EMBEDDED = 200;
    private static final long CALL_MILLIS = 2000;

    public static void main(String[] args) throws Exception {
        System.out.println("| --vlm-concurrency | described objects | alone (s) | objects/s alone | ideal objects/s | beside image_extractor (s) | most calls at once | image_extractor alone (s) | beside the provider calls (s) | beside / alone |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        List<Integer> limits = args.length > 0 ? java.util.Arrays.stream(args).map(Integer::valueOf).toList() : List.of(1, 4, 16);
        for (int concurrency : limits) run(concurrency);
    }

    private static void run(int concurrency) throws Exception {
        Path dir = Files.createTempDirectory("loupe-provider-bench-");
        Path key = dir.resolve("key");
        Files.writeString(key, "sk-bench-key-0123456789");
        try (VisionStandIn provider = new VisionStandIn(asked -> "A " + VisionStandIn.dominantColour(asked.image()) + " object.").delay(CALL_MILLIS);
             TestServer server = TestServer.withFlags(dir.resolve("data"), "--vlm-provider", "openai", "--vlm-url", provider.url(),
                     "--vlm-model", "standin", "--vlm-api-key-file", key.toString(), "--vlm-concurrency", String.valueOf(concurrency))) {
            Api api = server.admin(null);
            bucket(api, "described", DESCRIBED);
            bucket(api, "embedded", EMBEDDED);
            double describedAlone = seconds(api, api.ok("POST", "/v1/collections", collection("described-alone", "described", "multimodal_extractor",
                    "{\"run_video_description\": true}")));
            double alone = seconds(api, api.ok("POST", "/v1/collections", collection("alone", "embedded", "image_extractor", "{}")));
            long t0 = System.nanoTime();
            JsonNode described = api.ok("POST", "/v1/collections", collection("described-c", "described", "multimodal_extractor",
                    "{\"run_video_description\": true}"));
            double beside = seconds(api, api.ok("POST", "/v1/collections", collection("beside", "embedded", "image_extractor", "{}")));
            awaitCompleted(api, described);
            double describedSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("| %d | %d | %.1f | %.2f | %.2f | %.1f | %d | %.2f | %.2f | %.2f× |%n", concurrency, DESCRIBED, describedAlone,
                    DESCRIBED / describedAlone, concurrency * 1000.0 / CALL_MILLIS, describedSeconds, provider.mostInFlight(), alone, beside, beside / alone);
        }
    }

    private static void bucket(Api api, String name, int objects) {
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"" + name + "\", \"bucket_schema\": {}}");
        List<String> colours = List.copyOf(Images.BASIC.keySet());
        for (int i = 0; i < objects; i++) {
            String image = Images.dataUri(Images.jpeg(Images.dominant(Images.BASIC.get(colours.get(i % colours.size())), 320, 240, i)), "image/jpeg");
            api.ok("POST", "/v1/buckets/" + name + "/objects", "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + image + "\"}]}");
        }
    }

    private static String collection(String name, String bucket, String extractor, String parameters) {
        return """
                {"collection_name": "%s", "source": {"type": "bucket", "bucket_ids": ["%s"]},
                 "feature_extractor": {"feature_extractor_name": "%s", "version": "v1", "input_mappings": {"image": "img"}, "parameters": %s}}"""
                .formatted(name, bucket, extractor, parameters);
    }

    /** Seconds from now until the collection's backfill task completes. */
    private static double seconds(Api api, JsonNode collection) {
        long t0 = System.nanoTime();
        awaitCompleted(api, collection);
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void awaitCompleted(Api api, JsonNode collection) {
        JsonNode task = api.awaitTask(collection.path("task_id").asText(), Duration.ofMinutes(10));
        if (!"COMPLETED".equals(task.path("status").asText())) throw new IllegalStateException("task ended " + task);
    }
}
