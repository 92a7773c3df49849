package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.engines.ClusterLauncher;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * The cost of going distributed: the same ingestion and the same searches on the embedded build
 * (one Loupe on SQLite, Lucene and files) and on the loopback cluster (two Loupe nodes on
 * PostgreSQL, three Kafka brokers, three Solr nodes and S3Proxy), one after the other in one run,
 * with the same images, queries and model, and their ratios.
 *
 * <p>Ingestion: {@code N} small generated JPEGs (a random colour each), served from a loopback host, registered in chunks of {@value #CHUNK} through
 * {@code POST /objects/batch}, then processed in batches of {@value #BATCH}, all submitted at
 * once; the clock runs from the first submit to the last task's completion. Both deployments
 * get two worker threads in all (the embedded node two, each cluster node one), as many as the
 * machine has cores. Search: one retriever with a text {@code feature_search}; {@value #QUERIES}
 * distinct texts, each sent once to every node first (so the query-vector cache is warm and the
 * figures measure search, not the text tower), then cycled by {@link Wrk} for
 * {@value #WRK_SECONDS} s per row. Sizes: the index's bytes on disk per document (Lucene's
 * directory; Solr's cores through its admin API, per copy) and the catalog's per object. Beside
 * each wall-clock rate, the CPU time every process of the deployment used for the work, by kind
 * of process: on a shared machine, the figure that carries over.
 *
 * <p>Run with {@code scripts/bench.sh cluster [N]}.
 */
public final class ClusterBenchmark {
    private static final int CHUNK = 100;
    private static final int BATCH = 500;
    private static final int QUERIES = 50;
    private static final int K = 10;
    private static final int WRK_SECONDS = 10;
    private static final List<String> COLOURS = List.of("red", "orange", "yellow", "green", "blue", "purple", "black", "white");

    /** What one deployment did; ratios are taken field by field. */
    record Figures(double objectsPerSecond, double imagesPerSecond, int failed, double cpuMsPerImage, String ingestionCpu,
                   Wrk.Result health, Wrk.Result one, double cpuMsPerQuery, String searchCpu, Wrk.Result two, Wrk.Result twoSpread,
                   List<List<Integer>> ranked, List<List<Double>> scores, Sizes sizes, String load) {
    }

    /** Bytes on disk: the index per document (one copy), the catalog per object, each with a line saying what was counted. */
    record Sizes(String index, double indexBytesPerDocument, String catalog, double catalogBytesPerObject) {
    }

    /** A running deployment as the benchmark sees it: where its nodes answer, and how big its stores are. */
    interface Deployment extends AutoCloseable {
        List<Api> nodes();

        Sizes sizes(String collectionId, int documents) throws Exception;

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        Path dir = Files.createTempDirectory("loupe-cluster-bench-");
        List<byte[]> images = images(n);
        try (ImageHost host = new ImageHost()) {
            List<String> urls = new ArrayList<>();
            for (int i = 0; i < n; i++) urls.add(host.put("/img/" + i + ".jpg", images.get(i)));
            System.out.printf("%d generated JPEGs of 160×120, %.1f KB on average%n", n,
                    images.stream().mapToInt(b -> b.length).average().orElseThrow() / 1024);
            Figures embedded;
            try (Deployment d = Deployments.embedded(dir.resolve("embedded"))) {
                embedded = run("embedded", d, urls);
            }
            Figures cluster;
            try (Deployment d = Deployments.cluster(dir.resolve("cluster"), 2)) {
                cluster = run("cluster", d, urls);
            }
            table(n, embedded, cluster);
        } finally {
            deleteTree(dir);
        }
    }

    private static Figures run(String name, Deployment d, List<String> urls) throws Exception {
        List<Api> nodes = d.nodes();
        Api first = nodes.getFirst();
        first.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
        JsonNode collection = first.ok("POST", "/v1/collections", """
                {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"},
                   "field_passthrough": [{"source_path": "metadata.n"}]}}""");
        String collectionId = collection.path("collection_id").asText();
        // A new collection processes what its bucket holds already (nothing yet) as a task of its own.
        if (collection.hasNonNull("task_id")) first.awaitTask(collection.path("task_id").asText(), Duration.ofMinutes(2));

        // Objects in chunks through every node in turn, as behind a load balancer.
        List<String> ids = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int from = 0, chunk = 0; from < urls.size(); from += CHUNK, chunk++) {
            ArrayNode objects = Json.object().putArray("objects");
            for (int i = from; i < Math.min(urls.size(), from + CHUNK); i++) {
                ObjectNode o = objects.addObject();
                o.putArray("blobs").addObject().put("property", "img").put("type", "image").put("data", urls.get(i));
                o.putObject("metadata").put("n", i);
            }
            ObjectNode body = Json.object();
            body.set("objects", objects);
            for (JsonNode o : nodes.get(chunk % nodes.size()).ok("POST", "/v1/buckets/b/objects/batch", body.toString()).path("succeeded")) {
                ids.add(o.path("object_id").asText());
            }
        }
        double objectsPerSecond = urls.size() / ((System.nanoTime() - t0) / 1e9);

        List<String> batches = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> part = ids.subList(from, Math.min(ids.size(), from + BATCH));
            String list = String.join(",", part.stream().map(id -> '"' + id + '"').toList());
            batches.add(nodes.get(batches.size() % nodes.size()).ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": [" + list + "]}")
                    .path("batch_id").asText());
        }
        List<String> tasks = new ArrayList<>();
        String load = loadAverage();
        Map<String, Double> cpu0 = cpuByKind();
        long t1 = System.nanoTime();
        for (int i = 0; i < batches.size(); i++) {
            tasks.add(nodes.get(i % nodes.size()).ok("POST", "/v1/buckets/b/batches/" + batches.get(i) + "/submit", "{}").path("task_id").asText());
        }
        int failed = 0;
        for (String task : tasks) {
            JsonNode done = first.awaitTask(task, Duration.ofMinutes(30));
            // Failed items are part of the result: counted, printed with their reasons, and the run goes on.
            failed += done.path("additional_data").path("failed").asInt();
            if (!"COMPLETED".equals(done.path("status").asText())) System.out.println(name + ": task ended " + done);
        }
        double imagesPerSecond = urls.size() / ((System.nanoTime() - t1) / 1e9);
        Map<String, Double> cpu0After = cpuByKind();
        double cpuMsPerImage = (sum(cpu0After) - sum(cpu0)) * 1000 / urls.size();
        String ingestShares = shares(cpu0, cpu0After);
        System.out.printf("%s: %d objects registered at %.0f/s, processed at %.1f images/s (%d failed), %.1f CPU-ms per image (load average before: %s)%n",
                name, urls.size(), objectsPerSecond, imagesPerSecond, failed, cpuMsPerImage, load);

        first.ok("POST", "/v1/retrievers", """
                {"retriever_name": "text-search", "collection_ids": ["%s"],
                 "input_schema": {"properties": {"query": {"type": "text", "required": true}}},
                 "stages": [{"stage_name": "search", "stage_type": "filter",
                             "config": {"stage_id": "feature_search",
                                        "parameters": {"feature_uri": "mixpeek://image_extractor@v1/embedding",
                                                       "query": "{{INPUT.query}}", "top_k": %d}}}]}""".formatted(collectionId, K));
        List<String> bodies = new ArrayList<>();
        for (int j = 0; j < QUERIES; j++) {
            bodies.add("{\"inputs\": {\"query\": \"a %s photo, number %d\"}, \"limit\": %d}".formatted(COLOURS.get(j % COLOURS.size()), j, K));
        }
        // Every text once through every node: the query vectors are cached per node, and the
        // ranked images (by their number) are compared across deployments.
        List<List<Integer>> ranked = new ArrayList<>();
        List<List<Double>> scores = new ArrayList<>();
        for (Api node : nodes) {
            for (int j = 0; j < QUERIES; j++) {
                List<Integer> got = new ArrayList<>();
                List<Double> gotScores = new ArrayList<>();
                for (JsonNode doc : node.ok("POST", "/v1/retrievers/text-search/execute", bodies.get(j)).path("documents")) {
                    got.add(doc.path("metadata").path("n").asInt(-1));
                    gotScores.add(doc.path("score").asDouble());
                }
                if (node == first) {
                    ranked.add(got);
                    scores.add(gotScores);
                }
            }
        }
        String execute = first.base() + "/v1/retrievers/text-search/execute";
        String key = Deployments.ADMIN_KEY;
        Wrk.Result health = Wrk.get(first.base() + "/health", 1, WRK_SECONDS);
        Map<String, Double> cpu1 = cpuByKind();
        Wrk.Result one = Wrk.post(execute, key, bodies, 1, WRK_SECONDS);
        Map<String, Double> cpu1After = cpuByKind();
        double cpuMsPerQuery = (sum(cpu1After) - sum(cpu1)) * 1000 / (one.perSecond() * WRK_SECONDS);
        String searchShares = shares(cpu1, cpu1After);
        Wrk.Result two = Wrk.post(execute, key, bodies, 2, WRK_SECONDS);
        Wrk.Result spread = null;
        if (nodes.size() > 1) {
            List<CompletableFuture<Wrk.Result>> each = new ArrayList<>();
            for (Api node : nodes.subList(0, 2)) {
                each.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return Wrk.post(node.base() + "/v1/retrievers/text-search/execute", key, bodies, 1, WRK_SECONDS);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }));
            }
            Wrk.Result a = each.get(0).join();
            Wrk.Result b = each.get(1).join();
            // Two closed loops at once: their rates add up; the slower node's percentiles stand for both.
            spread = new Wrk.Result(Math.max(a.p50Ms(), b.p50Ms()), Math.max(a.p99Ms(), b.p99Ms()), a.perSecond() + b.perSecond());
        }
        Sizes sizes = d.sizes(collectionId, urls.size());
        System.out.printf("%s: search p50 %.2f ms with 1 client, %.0f/s; %.0f/s with 2; sizes %s%n", name, one.p50Ms(), one.perSecond(),
                two.perSecond(), sizes);
        return new Figures(objectsPerSecond, imagesPerSecond, failed, cpuMsPerImage, ingestShares, health, one, cpuMsPerQuery, searchShares, two,
                spread, ranked, scores, sizes, load + " before ingestion, " + loadAverage() + " after search");
    }

    private static void table(int n, Figures e, Figures c) {
        System.out.println();
        System.out.println("| measure | embedded (1 node) | loopback cluster (2 nodes) | cluster / embedded |");
        System.out.println("|---|---|---|---|");
        row("objects registered (`POST /objects/batch`, " + CHUNK + " per request), objects/s", e.objectsPerSecond(), c.objectsPerSecond(), "%.0f");
        row("ingestion, " + n + " images in batches of " + BATCH + ", images/s", e.imagesPerSecond(), c.imagesPerSecond(), "%.1f");
        System.out.printf("| ingestion, items failed | %d | %d | - |%n", e.failed(), c.failed());
        row("ingestion, CPU-ms per image (every process of the deployment)", e.cpuMsPerImage(), c.cpuMsPerImage(), "%.1f");
        row("`GET /health`, 1 client, p50 ms", e.health().p50Ms(), c.health().p50Ms(), "%.2f");
        row("text search, 1 client, p50 ms", e.one().p50Ms(), c.one().p50Ms(), "%.2f");
        row("text search, 1 client, p99 ms", e.one().p99Ms(), c.one().p99Ms(), "%.2f");
        row("text search, 1 client, queries/s", e.one().perSecond(), c.one().perSecond(), "%.0f");
        row("text search, 1 client, CPU-ms per query (every process of the deployment)", e.cpuMsPerQuery(), c.cpuMsPerQuery(), "%.2f");
        row("text search, 2 clients on one node, p50 ms", e.two().p50Ms(), c.two().p50Ms(), "%.2f");
        row("text search, 2 clients on one node, p99 ms", e.two().p99Ms(), c.two().p99Ms(), "%.2f");
        row("text search, 2 clients on one node, queries/s", e.two().perSecond(), c.two().perSecond(), "%.0f");
        if (c.twoSpread() != null) {
            System.out.printf("| text search, 2 clients, one per node, queries/s (p50 / p99 ms of the slower node) | - | %.0f (%.2f / %.2f) | %.2f× of the embedded 2 clients |%n",
                    c.twoSpread().perSecond(), c.twoSpread().p50Ms(), c.twoSpread().p99Ms(), c.twoSpread().perSecond() / e.two().perSecond());
        }
        row("index bytes per document (one copy)", e.sizes().indexBytesPerDocument(), c.sizes().indexBytesPerDocument(), "%.0f");
        row("catalog bytes per object", e.sizes().catalogBytesPerObject(), c.sizes().catalogBytesPerObject(), "%.0f");
        System.out.println();
        System.out.println("CPU time by process during ingestion: embedded " + e.ingestionCpu() + "; cluster " + c.ingestionCpu());
        System.out.println("CPU time by process during text search, 1 client: embedded " + e.searchCpu() + "; cluster " + c.searchCpu());
        System.out.println("load average (1, 5, 15 min): embedded " + e.load() + "; cluster " + c.load());
        System.out.println("index: embedded " + e.sizes().index() + "; cluster " + c.sizes().index());
        System.out.println("catalog: embedded " + e.sizes().catalog() + "; cluster " + c.sizes().catalog());
        int same = 0;
        double overlap = 0;
        double scoreGap = 0;
        for (int j = 0; j < QUERIES; j++) {
            List<Integer> a = e.ranked().get(j);
            List<Integer> b = c.ranked().get(j);
            if (a.equals(b)) same++;
            Set<Integer> common = new HashSet<>(a);
            common.retainAll(new HashSet<>(b));
            overlap += common.size() / (double) Math.max(1, a.size());
            for (int r = 0; r < Math.min(e.scores().get(j).size(), c.scores().get(j).size()); r++) {
                scoreGap = Math.max(scoreGap, Math.abs(e.scores().get(j).get(r) - c.scores().get(j).get(r)));
            }
        }
        // The fixture encoder embeds an image by its nearest of eight colours: some 1/8 of the images
        // sit at almost one point, so which of them make a top 10 is a matter of rounding; the scores are not.
        System.out.printf("results: the same ranked top %d on both for %d of %d queries, mean top-%d overlap %.3f;"
                + " largest score difference at equal rank %.2g%n", K, same, QUERIES, K, overlap / QUERIES, scoreGap);
    }

    private static void row(String what, double embedded, double cluster, String format) {
        System.out.printf("| %s | " + format + " | " + format + " | %.2f× |%n", what, embedded, cluster, cluster / embedded);
    }

    /** {@code n} JPEGs of 160×120, each of a random colour with Images' texture, the same for a given index. */
    private static List<byte[]> images(int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Random rnd = new Random(i);
            out.add(Images.jpeg(Images.dominant(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)), 160, 120, i)));
        }
        return out;
    }

    /**
     * CPU time used so far by every process this JVM started (the Loupe nodes and the engines,
     * PostgreSQL's backends included) but wrk, by kind (loupe, kafka, solr, zookeeper, s3proxy,
     * postgresql): on a shared machine the cost of the work, where wall-clock rates also measure
     * whatever else runs. A process that ended in between (a PostgreSQL backend) takes its time with it.
     */
    private static Map<String, Double> cpuByKind() {
        Map<String, Double> out = new TreeMap<>();
        ProcessHandle.current().descendants().filter(p -> !p.info().command().orElse("").endsWith("/wrk")).forEach(p ->
                out.merge(ClusterLauncher.name(p).split(" ")[0], p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0), Double::sum));
        return out;
    }

    /** Each kind's share of the CPU time used between two {@link #cpuByKind} readings. */
    private static String shares(Map<String, Double> before, Map<String, Double> after) {
        double total = 0;
        Map<String, Double> used = new TreeMap<>();
        for (var e : after.entrySet()) {
            double d = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            used.put(e.getKey(), d);
            total += d;
        }
        StringBuilder sb = new StringBuilder();
        for (var e : used.entrySet()) {
            if (e.getValue() / total < 0.005) continue;
            sb.append(sb.isEmpty() ? "" : ", ").append(String.format("%s %.0f%%", e.getKey(), 100 * e.getValue() / total));
        }
        return sb.toString();
    }

    private static double sum(Map<String, Double> cpu) {
        return cpu.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    static long treeSize(Path dir) {
        if (!Files.exists(dir)) return 0;
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException gone) {
                    return 0; // a segment merged away while walking
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
