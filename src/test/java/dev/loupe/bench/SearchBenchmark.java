package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.Loupe;
import dev.loupe.api.Json;
import dev.loupe.config.Settings;
import dev.loupe.extractor.ImageExtractor;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.VectorQuantization;
import dev.loupe.testing.Api;
import dev.loupe.testing.ClusteredVectors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.lucene.util.VectorUtil;

/**
 * {@code feature_search} at scale: recall@10 against exact search, p50/p99 latency and
 * queries per second, directly on the index and through the HTTP API, with no filter and
 * with filters matching 10 % and 1 % of the documents.
 *
 * <p>The documents are {@link ClusteredVectors} (768-d); each has {@code metadata.bucket =
 * i mod 100}, so {@code bucket < 10} matches 10 % and {@code bucket = 0} matches 1 %,
 * independently of the clusters. The index is built once per size and quantization under
 * {@code bench/search/} (through a real collection, so the API serves it) and reused.
 * The same run times an exact scan of all vectors as the reference; through the API, the
 * reference is a bare {@code GET /health} round trip, and latency is measured by {@link Wrk}.
 *
 * <p>Run with {@code scripts/bench.sh search N none|int8}.
 */
public final class SearchBenchmark {
    // The corpus, queries and batches, shared with IndexBuildBenchmark so both measure the same data.
    static final int DIMENSION = 768;
    static final int CLUSTERS = 2000;
    static final long SEED = 7;
    static final int QUERIES = 200;
    static final int K = 10;
    static final int BATCH = 5000;
    private static final String KEY = "lpk_bench_key_0123456789";
    private static final String FIELD = ImageExtractor.EMBEDDING_FIELD;
    private static final int WRK_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A filter, and the same filter on document numbers: document {@code i} matches when {@code i mod 100 < bucketBelow}. */
    record Selectivity(String label, String filterJson, int bucketBelow) {
        IntPredicate matches() {
            return i -> i % 100 < bucketBelow;
        }

        FilterNode filter() {
            return filterJson == null ? new FilterNode.All() : FilterParser.parseStatic(Json.read(filterJson), "filters");
        }
    }

    private static final List<Selectivity> FILTERS = List.of(
            new Selectivity("none", null, 100),
            new Selectivity("10%", "{\"field\": \"metadata.bucket\", \"operator\": \"lt\", \"value\": 10}", 10),
            new Selectivity("1%", "{\"metadata.bucket\": 0}", 1));

    public static void main(String[] args) throws Exception {
        // The service's own log format and levels: the API rows pay for its request log line, as a served request does.
        dev.loupe.Logs.install(System.err);
        Path benchDir = Path.of(args[0]);
        Path models = Path.of(args[1]);
        String model = args[2];
        int n = Integer.parseInt(args[3]);
        VectorQuantization quantization = VectorQuantization.parse(args[4]);
        Path data = benchDir.resolve("search").resolve(n + "-" + quantization.name().toLowerCase());
        ClusteredVectors gen = new ClusteredVectors(DIMENSION, CLUSTERS, SEED);
        Settings settings = Settings.from(new String[] {"--port", "0", "--data-dir", data.toString(), "--models-dir", models.toString(),
                "--image-model", model, "--admin-key", KEY, "--offline", "true", "--vector-quantization", quantization.name()}, Map.of());

        Properties built = build(data, n, gen, settings);
        String collectionId = built.getProperty("collection_id");
        Path indexDir = data.resolve("index").resolve(collectionId);
        System.out.printf("index: %d documents, %s, built in %s s; as written: %s%n", n, quantization, built.getProperty("build_seconds"),
                built.getProperty("as_written", sizes(indexDir)));
        if (built.getProperty("compact_seconds") == null) {
            // What Loupe does to a collection once writes stop for a minute.
            built.setProperty("as_written", sizes(indexDir));
            long c0 = System.nanoTime();
            try (LuceneDocumentIndex index = new LuceneDocumentIndex(data.resolve("index"), LuceneDocumentIndex.Options.DEFAULT.withQuantization(quantization))) {
                index.compact(collectionId);
            }
            built.setProperty("compact_seconds", String.format("%.0f", (System.nanoTime() - c0) / 1e9));
            try (var out = Files.newOutputStream(data.resolve("built.properties"))) {
                built.store(out, "search benchmark index");
            }
        }
        System.out.printf("compacted (as after a minute without writes) in %s s: %s%n", built.getProperty("compact_seconds"), sizes(indexDir));

        float[][] docs = new float[n][];
        for (int i = 0; i < n; i++) docs[i] = gen.document(i);
        float[][] queries = new float[QUERIES][];
        for (int j = 0; j < QUERIES; j++) queries[j] = gen.query(j);
        Map<String, int[][]> truthNumbers = new LinkedHashMap<>();
        Map<String, List<Set<String>>> truth = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        for (Selectivity s : FILTERS) truthNumbers.put(s.label(), exact(docs, queries, s.matches()));
        double exactMs = (System.nanoTime() - t0) / 1e6 / QUERIES / (1 + 0.1 + 0.01);
        truthNumbers.forEach((label, best) -> truth.put(label, Arrays.stream(best)
                .map(b -> Arrays.stream(b).mapToObj(i -> "doc_" + i).collect(Collectors.toSet())).toList()));
        Path peers = data.resolve("peers");
        exportForPeers(peers, docs, queries, truthNumbers);
        docs = null;
        System.out.printf("reference: exact scan of all %d vectors, %.1f ms per query (one thread)%n%n", n, exactMs);

        // Collect the reference's vectors now (gigabytes at a million) rather than during the
        // first measurements, and warm every default path (JIT, memory-mapped pages) first, so
        // the first table's rows are not slower for being first.
        System.gc();
        double heapMb;
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(data.resolve("index"), LuceneDocumentIndex.Options.DEFAULT.withQuantization(quantization))) {
            for (int pass = 0; pass < 3; pass++) {
                for (Selectivity s : FILTERS) {
                    FilterNode filter = s.filter();
                    for (int j = 0; j < QUERIES; j++) index.nearest(collectionId, FIELD, queries[j], K, filter);
                }
            }
            header();
            for (Selectivity s : FILTERS) {
                FilterNode filter = s.filter();
                Searcher search = j -> ids(index.nearest(collectionId, FIELD, queries[j], K, filter));
                report("index", s, search, truth.get(s.label()), exactMs);
            }
            System.gc();
            Runtime rt = Runtime.getRuntime();
            heapMb = (rt.totalMemory() - rt.freeMemory()) / 1e6;
        }
        for (int candidates : new int[] {100, 400, 800, 1600}) {
            LuceneDocumentIndex.Options options = LuceneDocumentIndex.Options.DEFAULT.withQuantization(quantization).withCandidates(candidates);
            try (LuceneDocumentIndex index = new LuceneDocumentIndex(data.resolve("index"), options)) {
                Searcher search = j -> ids(index.nearest(collectionId, FIELD, queries[j], K, new FilterNode.All()));
                report("index, " + candidates + " candidates", FILTERS.getFirst(), search, truth.get("none"), exactMs);
            }
        }
        sweepForPeers(peers, data, collectionId, quantization, queries, truthNumbers, built);
        // What the exact scan of a selective filter's matches saves over a filtered graph search.
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(data.resolve("index"),
                LuceneDocumentIndex.Options.DEFAULT.withQuantization(quantization).withExactSearchMaxDocs(0))) {
            for (Selectivity s : FILTERS.subList(1, FILTERS.size())) {
                FilterNode filter = s.filter();
                Searcher search = j -> ids(index.nearest(collectionId, FIELD, queries[j], K, filter));
                report("index, graph search whatever the filter", s, search, truth.get(s.label()), exactMs);
            }
        }
        System.out.printf("%nJVM heap in use with the index open: %.0f MB (graphs and vectors are read through memory-mapped files)%n%n", heapMb);
        System.out.println("""
                Through the API: recall from one pass of the %d queries; latency and rates measured by wrk, a native
                client in its own process, cycling through the same request bodies for %d s per row.
                """.formatted(QUERIES, WRK_SECONDS));
        header();
        try (Loupe loupe = Loupe.start(settings)) {
            String base = "http://127.0.0.1:" + loupe.port();
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI uri = URI.create(base + "/v1/retrievers/execute");
            Wrk.Result health1 = Wrk.get(base + "/health", 1, WRK_SECONDS);
            Wrk.Result health2 = Wrk.get(base + "/health", 2, WRK_SECONDS);
            System.out.printf("| API GET /health (HTTP round trip, reference) | - | - | %.2f | %.2f | %.0f | %.0f | - |%n",
                    health1.p50Ms(), health1.p99Ms(), health1.perSecond(), health2.perSecond());
            for (Selectivity s : FILTERS) {
                List<String> bodies = new ArrayList<>();
                double[] recall = new double[2];
                for (int j = 0; j < QUERIES; j++) {
                    bodies.add(vectorBody(collectionId, queries[j], s.filterJson(), false));
                    List<String> got = execute(client, uri, bodies.getLast());
                    Set<String> expected = truth.get(s.label()).get(j);
                    recall[j % 2] += recall(got, expected);
                }
                apiRow("API", s.label(), recallColumn(recall), uri, bodies, exactMs);
            }
            // What a request that leaves return_vectors unset pays for the 768 numbers of each hit.
            List<String> withVectors = new ArrayList<>();
            for (int j = 0; j < QUERIES; j++) withVectors.add(vectorBody(collectionId, queries[j], null, true));
            apiRow("API, hits with their vectors (`return_vectors` left at its default)", "none", "-", uri, withVectors, exactMs);
            // Text queries: the first time through the text encoder (one JDK client request each:
            // the encoder's time dwarfs the client's), then repeated, from the query cache, under wrk.
            List<String> texts = new ArrayList<>();
            double[] first = new double[QUERIES];
            for (int j = 0; j < QUERIES; j++) {
                texts.add(textBody(collectionId, "a photo of product number " + j));
                long t = System.nanoTime();
                execute(client, uri, texts.getLast());
                first[j] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(first);
            Wrk.Result cached = Wrk.post(uri.toString(), KEY, texts, 1, WRK_SECONDS);
            System.out.printf("%ntext queries through the API (%s text tower, %d distinct texts, no filter): the first time p50 %.2f ms,"
                    + " p99 %.2f ms (JDK client); repeated, from the query cache, p50 %.2f ms, p99 %.2f ms (wrk)%n", model, QUERIES,
                    first[QUERIES / 2], first[(int) Math.ceil(QUERIES * 0.99) - 1], cached.p50Ms(), cached.p99Ms());
        }
    }

    /**
     * Writes the vectors, queries, buckets and exact top {@link #K} for {@code scripts/search_peers.py}
     * in {@link PeerExport}'s layout, once: {@code meta.json} is written last, so an interrupted
     * export is written again.
     */
    private static void exportForPeers(Path dir, float[][] docs, float[][] queries, Map<String, int[][]> truth) throws IOException {
        if (Files.exists(dir.resolve("meta.json"))) return;
        Files.createDirectories(dir);
        PeerExport.writeFloats(dir.resolve("vectors.f32"), docs);
        PeerExport.writeFloats(dir.resolve("queries.f32"), queries);
        int[] buckets = new int[docs.length];
        for (int i = 0; i < docs.length; i++) buckets[i] = i % 100;
        PeerExport.writeInts(dir.resolve("buckets.i32"), new int[][] {buckets});
        ObjectNode meta = Json.object();
        meta.put("layout", "headerless row-major little-endian 4-byte values (see dev.loupe.bench.PeerExport)");
        meta.put("documents", docs.length).put("dimension", DIMENSION).put("queries", queries.length).put("k", K);
        meta.put("metric", "inner product of unit vectors");
        meta.put("vectors", "vectors.f32").put("queries_file", "queries.f32").put("buckets", "buckets.i32");
        // Loupe's graph parameters (VectorCodec's GRAPH_MAX_CONNECTIONS and GRAPH_BEAM_WIDTH), for the peers to build alike.
        ObjectNode graph = meta.putObject("graph");
        graph.put("max_connections", 32).put("beam_width", 200).put("source", "dev.loupe.index.lucene.VectorCodec");
        var filters = meta.putArray("filters");
        for (Selectivity s : FILTERS) {
            String file = "truth-" + s.label().replace("%", "pct") + ".i32";
            PeerExport.writeInts(dir.resolve(file), truth.get(s.label()));
            filters.addObject().put("label", s.label()).put("truth", file).put("bucket_below", s.bucketBelow());
        }
        Files.writeString(dir.resolve("meta.json"), meta.toPrettyString());
    }

    /** Documents {@code from} (inclusive) to {@code to} of the corpus: id {@code doc_i}, {@code metadata.bucket = i mod 100} and the cluster. */
    static List<IndexedDocument> documents(ClusteredVectors gen, String collectionId, int from, int to) {
        List<IndexedDocument> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ObjectNode fields = Json.object();
            fields.put("document_id", "doc_" + i);
            fields.putObject("metadata").put("bucket", i % 100).put("cluster", gen.clusterOf(i));
            batch.add(new IndexedDocument("doc_" + i, collectionId, fields, Map.of(FIELD, gen.document(i))));
        }
        return batch;
    }

    /**
     * Loupe's curve for the comparison with the peers: recall@10 and queries/s of the index
     * path (one query per call, one and two threads) for each beam ({@code candidates}) and
     * filter, printed and written to {@code loupe.json} beside the exported data.
     */
    private static void sweepForPeers(Path dir, Path data, String collectionId, VectorQuantization quantization, float[][] queries,
            Map<String, int[][]> truth, Properties built) throws Exception {
        System.out.printf("%nLoupe's index path by beam, for the comparison with hnswlib and FAISS (one query per call):%n%n");
        System.out.println("| candidates | filter | recall@10 | queries/s (1 thread) | queries/s (2 threads) |");
        System.out.println("|---|---|---|---|---|");
        ObjectNode out = Json.object();
        out.put("system", "Loupe index path (LuceneDocumentIndex.nearest)");
        out.put("documents", Integer.parseInt(built.getProperty("documents")));
        out.put("build_seconds", Double.parseDouble(built.getProperty("build_seconds")));
        if (built.getProperty("compact_seconds") != null) out.put("compact_seconds", Double.parseDouble(built.getProperty("compact_seconds")));
        if (built.getProperty("built_at") != null) out.put("built_at", built.getProperty("built_at"));
        var points = out.putArray("points");
        for (int candidates : new int[] {10, 20, 40, 80, 160, 320, 640}) {
            LuceneDocumentIndex.Options options = LuceneDocumentIndex.Options.DEFAULT.withQuantization(quantization).withCandidates(candidates);
            try (LuceneDocumentIndex index = new LuceneDocumentIndex(data.resolve("index"), options)) {
                for (Selectivity s : FILTERS) {
                    FilterNode filter = s.filter();
                    int[][] expected = truth.get(s.label());
                    Searcher search = j -> ids(index.nearest(collectionId, FIELD, queries[j], K, filter));
                    for (int j = 0; j < QUERIES; j++) search.search(j); // warm caches and JIT
                    double recall = 0;
                    long t0 = System.nanoTime();
                    for (int j = 0; j < QUERIES; j++) {
                        int[] got = search.search(j).stream().mapToInt(PeerExport::documentNumber).toArray();
                        recall += PeerExport.recall(got, expected[j]);
                    }
                    double one = QUERIES / ((System.nanoTime() - t0) / 1e9);
                    double two = concurrentRate(search, 2);
                    recall /= QUERIES;
                    System.out.printf("| %d | %s | %.3f | %.0f | %.0f |%n", candidates, s.label(), recall, one, two);
                    points.addObject().put("filter", s.label()).put("param", "candidates=" + candidates).put("recall", recall)
                            .put("qps_1", one).put("qps_2", two);
                }
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("loupe.json"), out.toPrettyString());
    }

    private static void header() {
        System.out.println("| path | filter | recall@10 (image / text queries) | p50 ms | p99 ms | queries/s (1 client) | queries/s (2 clients) | exact scan / p50 |");
        System.out.println("|---|---|---|---|---|---|---|---|");
    }

    @FunctionalInterface
    interface Searcher {
        List<String> search(int query) throws Exception;
    }

    private static void report(String path, Selectivity s, Searcher search, List<Set<String>> truth, double exactMs) throws Exception {
        for (int j = 0; j < QUERIES; j++) search.search(j); // warm caches and JIT
        double[] ms = new double[QUERIES];
        double[] recall = new double[2]; // even queries are image-like, odd ones text-like
        for (int j = 0; j < QUERIES; j++) {
            long t = System.nanoTime();
            List<String> got = search.search(j);
            ms[j] = (System.nanoTime() - t) / 1e6;
            Set<String> expected = truth.get(j);
            recall[j % 2] += recall(got, expected);
        }
        Arrays.sort(ms);
        double mean = Arrays.stream(ms).average().orElseThrow();
        double p50 = ms[QUERIES / 2];
        System.out.printf("| %s | %s | %s | %.2f | %.2f | %.0f | %.0f | %.0f× |%n", path, s.label(), recallColumn(recall),
                p50, ms[(int) Math.ceil(QUERIES * 0.99) - 1], 1000 / mean, concurrentRate(search, 2), exactMs / p50);
    }

    /** One API row: {@code bodies} posted by wrk with one client, then with two. */
    private static void apiRow(String path, String filter, String recall, URI uri, List<String> bodies, double exactMs) throws Exception {
        Wrk.Result one = Wrk.post(uri.toString(), KEY, bodies, 1, WRK_SECONDS);
        Wrk.Result two = Wrk.post(uri.toString(), KEY, bodies, 2, WRK_SECONDS);
        System.out.printf("| %s | %s | %s | %.2f | %.2f | %.0f | %.0f | %.0f× |%n", path, filter, recall,
                one.p50Ms(), one.p99Ms(), one.perSecond(), two.perSecond(), exactMs / one.p50Ms());
    }

    /** The share of the true top {@link #K} that a search returned. */
    private static double recall(List<String> got, Set<String> expected) {
        return got.stream().filter(expected::contains).count() / (double) expected.size();
    }

    /** Mean recall over all queries, then over the image-like (even) and text-like (odd) halves. */
    private static String recallColumn(double[] sumsByParity) {
        return String.format("%.3f (%.3f / %.3f)", (sumsByParity[0] + sumsByParity[1]) / QUERIES,
                2 * sumsByParity[0] / QUERIES, 2 * sumsByParity[1] / QUERIES);
    }

    /** Queries per second with {@code clients} threads issuing queries back to back. */
    private static double concurrentRate(Searcher search, int clients) throws Exception {
        AtomicInteger next = new AtomicInteger();
        int total = QUERIES * 2;
        long t0 = System.nanoTime();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    for (int j; (j = next.getAndIncrement()) < total; ) search.search(j % QUERIES);
                    return null;
                });
            }
        }
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    private static String textBody(String collectionId, String text) {
        return """
                {"collection_ids": ["%s"], "limit": %d, "return_vectors": false, "stages": [{"stage_name": "search",
                 "config": {"stage_id": "feature_search", "parameters": {"query": "%s", "top_k": %d}}}]}"""
                .formatted(collectionId, K, text, K).replace("\n", "");
    }

    private static String vectorBody(String collectionId, float[] query, String filterJson, boolean returnVectors) {
        ObjectNode body = Json.object();
        body.putArray("collection_ids").add(collectionId);
        ObjectNode stage = body.putArray("stages").addObject();
        stage.put("stage_name", "search");
        ObjectNode config = stage.putObject("config");
        config.put("stage_id", "feature_search");
        ObjectNode search = config.putObject("parameters").putArray("searches").addObject();
        search.put("feature_uri", "mixpeek://image_extractor@v1/embedding");
        var value = search.putObject("query").put("input_mode", "vector").putArray("value");
        for (float x : query) value.add(x);
        search.put("top_k", K);
        if (filterJson != null) config.set("pre_filters", Json.read(filterJson));
        body.put("limit", K);
        body.put("return_vectors", returnVectors);
        return body.toString();
    }

    /** Executes a retriever request and returns the document ids it answered, in order. */
    private static List<String> execute(HttpClient client, URI uri, String body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("execute answered " + r.statusCode() + ": " + r.body());
        List<String> ids = new ArrayList<>();
        for (JsonNode d : JSON.readTree(r.body()).path("documents")) ids.add(d.path("document_id").asText());
        return ids;
    }

    private static List<String> ids(List<ScoredDocument> hits) {
        return hits.stream().map(h -> h.document().documentId()).toList();
    }

    /** The true top {@link #K} document numbers of each query, best first, among the documents {@code matches} admits. */
    private static int[][] exact(float[][] docs, float[][] queries, IntPredicate matches) {
        int[][] out = new int[queries.length][];
        for (int j = 0; j < queries.length; j++) {
            float[] q = queries[j];
            int[] best = new int[K];
            float[] bestScore = new float[K];
            Arrays.fill(bestScore, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < docs.length; i++) {
                if (!matches.test(i)) continue;
                float score = VectorUtil.dotProduct(q, docs[i]);
                if (score <= bestScore[K - 1]) continue;
                int at = K - 1;
                while (at > 0 && bestScore[at - 1] < score) {
                    bestScore[at] = bestScore[at - 1];
                    best[at] = best[at - 1];
                    at--;
                }
                bestScore[at] = score;
                best[at] = i;
            }
            out[j] = best;
        }
        return out;
    }

    /**
     * Creates the collection through the API, then fills its index directly (ingesting a
     * million images through a model is the ingestion benchmark's business, not this one's).
     */
    private static Properties build(Path data, int n, ClusteredVectors gen, Settings settings) throws IOException {
        Path marker = data.resolve("built.properties");
        Properties p = new Properties();
        if (Files.exists(marker)) {
            try (var in = Files.newInputStream(marker)) {
                p.load(in);
            }
            return p;
        }
        if (Files.exists(data)) {
            try (Stream<Path> files = Files.walk(data)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
            }
        }
        String collectionId;
        try (Loupe loupe = Loupe.start(settings)) {
            Api api = new Api("http://127.0.0.1:" + loupe.port(), KEY, null);
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
            collectionId = api.ok("POST", "/v1/collections", """
                    {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""")
                    .path("collection_id").asText();
        }
        long t0 = System.nanoTime();
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(data.resolve("index"),
                LuceneDocumentIndex.Options.DEFAULT.withQuantization(settings.vectorQuantization()))) {
            for (int from = 0; from < n; from += BATCH) {
                index.upsert(collectionId, documents(gen, collectionId, from, Math.min(n, from + BATCH)));
                if ((from / BATCH) % 20 == 19) {
                    System.out.printf("  indexed %d in %.0f s%n", from + BATCH, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        p.setProperty("collection_id", collectionId);
        p.setProperty("documents", String.valueOf(n));
        p.setProperty("build_seconds", String.format("%.0f", (System.nanoTime() - t0) / 1e9));
        p.setProperty("built_at", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        try (var out = Files.newOutputStream(marker)) {
            p.store(out, "search benchmark index");
        }
        return p;
    }

    /** On-disk size by what it holds: float vectors, quantized vectors, graph, everything else. */
    private static String sizes(Path dir) throws IOException {
        Map<String, Long> by = new LinkedHashMap<>(Map.of("vectors", 0L, "quantized", 0L, "graph", 0L, "other", 0L));
        long segments;
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.toList();
            segments = all.stream().filter(f -> f.getFileName().toString().endsWith(".si")).count();
            for (Path f : all) {
                String name = f.getFileName().toString();
                String kind = name.endsWith(".vec") ? "vectors" : name.endsWith(".veq") ? "quantized" : name.endsWith(".vex") ? "graph" : "other";
                by.merge(kind, Files.size(f), Long::sum);
            }
        }
        StringBuilder sb = new StringBuilder(segments + " segments");
        by.forEach((k, v) -> sb.append(String.format(", %s %.0f MB", k, v / 1e6)));
        return sb.toString();
    }
}
