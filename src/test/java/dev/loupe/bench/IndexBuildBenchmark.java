package dev.loupe.bench;

import dev.loupe.extractor.ImageExtractor;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.testing.ClusteredVectors;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

/**
 * How fast documents go into the index: {@code N} {@link ClusteredVectors} documents (768-d,
 * the search benchmark's data and metadata) upserted {@value #BATCH} per call through
 * {@link LuceneDocumentIndex} on a fresh directory, each call committed (durable) when it
 * returns, so "ingestion" is the rate until the last document is durable. Merges that Lucene
 * runs in the background meanwhile are part of it; the compaction Loupe runs once a collection
 * is idle (a merge into one segment) is timed separately. Recall@10 at the default candidates,
 * on {@value #QUERIES} queries against an exact scan, before and after compaction, shows
 * whether a faster build cost search quality.
 *
 * <p>Run with {@code scripts/bench.sh build N}.
 */
public final class IndexBuildBenchmark {
    private static final int QUERIES = SearchBenchmark.QUERIES;
    private static final int K = SearchBenchmark.K;
    private static final int BATCH = SearchBenchmark.BATCH;
    private static final String COLLECTION = "build_bench";
    private static final String FIELD = ImageExtractor.EMBEDDING_FIELD;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private IndexBuildBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        ClusteredVectors gen = new ClusteredVectors(SearchBenchmark.DIMENSION, SearchBenchmark.CLUSTERS, SearchBenchmark.SEED);
        deleteTree(root);
        float[][] queries = new float[QUERIES][];
        for (int j = 0; j < QUERIES; j++) queries[j] = gen.query(j);
        Path indexDir = root.resolve(COLLECTION);
        // Before the build: the idle-time compaction must not start while the reference is computed.
        List<Set<String>> truth = exact(gen, n, queries);

        double generating = 0;
        double generatingCpu = 0;
        long t0 = System.nanoTime();
        double cpu0 = cpuSeconds();
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(root)) {
            for (int from = 0; from < n; from += BATCH) {
                long g0 = System.nanoTime();
                long gCpu0 = THREADS.getCurrentThreadCpuTime();
                List<IndexedDocument> batch = SearchBenchmark.documents(gen, COLLECTION, from, Math.min(n, from + BATCH));
                generating += (System.nanoTime() - g0) / 1e9;
                generatingCpu += (THREADS.getCurrentThreadCpuTime() - gCpu0) / 1e9;
                index.upsert(COLLECTION, batch);
                if ((from / BATCH) % 10 == 9) System.out.printf("  %d durable after %.0f s%n", from + BATCH, (System.nanoTime() - t0) / 1e9);
            }
            double ingest = (System.nanoTime() - t0) / 1e9 - generating;
            double ingestCpu = cpuSeconds() - cpu0 - generatingCpu;
            String asWritten = segments(indexDir);
            double recallAsWritten = recall(index, queries, truth);
            double cCpu0 = cpuSeconds();
            long c0 = System.nanoTime();
            index.compact(COLLECTION);
            double compact = (System.nanoTime() - c0) / 1e9;
            double compactCpu = cpuSeconds() - cCpu0;
            double recallCompacted = recall(index, queries, truth);
            System.out.println("| documents | ingestion s | docs/s until durable | as written | recall@10 | compaction s | compacted | recall@10 | docs/s with compaction |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            System.out.printf("| %,d | %.0f | %.0f | %s | %.3f | %.0f | %s | %.3f | %.0f |%n", n, ingest, n / ingest, asWritten, recallAsWritten,
                    compact, segments(indexDir), recallCompacted, n / (ingest + compact));
            System.out.printf("(generating the documents took a further %.0f s, not counted)%n", generating);
            // On a shared machine the wall clock measures the neighbours too; the CPU time this process spent does not.
            System.out.printf("CPU: ingestion %.0f s (%.0f docs per CPU-second; on two idle cores at most %.0f docs/s), compaction %.0f s%n",
                    ingestCpu, n / ingestCpu, 2 * n / ingestCpu, compactCpu);
        }
    }

    /** CPU time of the whole process (all its threads: writing, merging, JIT, GC), in seconds. */
    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    /** The true top {@link #K} of each query among all {@code n} documents, regenerated one at a time (no copy of them in memory). */
    private static List<Set<String>> exact(ClusteredVectors gen, int n, float[][] queries) {
        int[][] best = new int[queries.length][K];
        float[][] scores = new float[queries.length][K];
        for (float[] s : scores) Arrays.fill(s, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            float[] doc = gen.document(i);
            for (int q = 0; q < queries.length; q++) {
                float score = VectorUtil.dotProduct(queries[q], doc);
                if (score <= scores[q][K - 1]) continue;
                int at = K - 1;
                while (at > 0 && scores[q][at - 1] < score) {
                    scores[q][at] = scores[q][at - 1];
                    best[q][at] = best[q][at - 1];
                    at--;
                }
                scores[q][at] = score;
                best[q][at] = i;
            }
        }
        List<Set<String>> out = new ArrayList<>();
        for (int[] b : best) {
            Set<String> ids = new HashSet<>();
            for (int i : b) ids.add("doc_" + i);
            out.add(ids);
        }
        return out;
    }

    private static double recall(LuceneDocumentIndex index, float[][] queries, List<Set<String>> truth) {
        double sum = 0;
        for (int j = 0; j < queries.length; j++) {
            List<ScoredDocument> hits = index.nearest(COLLECTION, FIELD, queries[j], K, new FilterNode.All());
            Set<String> expected = truth.get(j);
            sum += hits.stream().filter(h -> expected.contains(h.document().documentId())).count() / (double) K;
        }
        return sum / queries.length;
    }

    /** The segments of the last commit. */
    private static String segments(Path dir) throws IOException {
        try (FSDirectory d = FSDirectory.open(dir)) {
            int segments = SegmentInfos.readLatestCommit(d).size();
            return segments + (segments == 1 ? " segment" : " segments");
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
