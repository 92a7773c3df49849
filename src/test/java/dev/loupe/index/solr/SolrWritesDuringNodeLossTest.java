package dev.loupe.index.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ProducedDocuments;
import dev.loupe.testing.engines.SolrCloud;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Writers that keep upserting, replacing (ingestion's pattern: a producer's old documents deleted,
 * its new ones written), deleting and deleting by filter, each through its own index as separate
 * Loupe nodes would, while a Solr node dies with SIGKILL and, in one case, comes back while they
 * write. Every call is expected to succeed, since the retries cover a leader election; afterwards
 * the index, and each replica on its own ({@code distrib=false}), holds exactly the documents the
 * acknowledged calls imply: no acknowledged write lost, no deleted document back. A reader counts a
 * fixed set of documents meanwhile and must never see part of it.
 */
class SolrWritesDuringNodeLossTest {
    private static final int WRITERS = 3;
    private static final int STATIC_DOCUMENTS = 40;
    /** A guard against a hang, not a measure: progress is counted in acknowledged calls. */
    private static final Duration PROGRESS_LIMIT = Duration.ofMinutes(4);

    private final SolrCloud cloud = SolrCloud.shared();
    private final String collection = "col_nodeloss_" + Long.toHexString(System.nanoTime());
    private final String solrCollection = SolrDocumentIndex.PREFIX + collection;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void restartAndDelete() {
        for (int i = 0; i < cloud.nodes().size(); i++) if (!cloud.nodes().get(i).isAlive()) cloud.restart(i);
        cloud.deleteCollections();
    }

    @Test
    void writesAcrossTheKillOfANodeHoldingLeadersAllSucceedAndEveryReplicaEndsWithExactlyTheAcknowledgedDocuments() {
        seed();
        try (Load load = Load.start(cloud, collection)) {
            load.awaitEach(10);
            int victim = nodeHoldingALeader();
            cloud.kill9(victim);
            load.awaitEach(15);
            cloud.awaitLeaders(solrCollection, (victim + 1) % cloud.nodes().size());
            load.awaitEach(5);
            load.stop();
            cloud.restart(victim);
            cloud.awaitRecovered(solrCollection, victim);
            assertHoldsExactly(load);
        }
    }

    @Test
    void writesWhileANodeIsKilledAndRestartedAllSucceedAndEveryReplicaEndsWithExactlyTheAcknowledgedDocuments() {
        seed();
        try (Load load = Load.start(cloud, collection)) {
            load.awaitEach(10);
            int victim = nodeHoldingOnlyFollowers();
            cloud.kill9(victim);
            load.awaitEach(10);
            cloud.restart(victim);
            cloud.awaitRecovered(solrCollection, victim);
            load.awaitEach(10);
            load.stop();
            assertHoldsExactly(load);
        }
    }

    /** The collection, its vector field and the documents the reader counts, before any writer starts. */
    private void seed() {
        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
            List<IndexedDocument> docs = new ArrayList<>();
            for (int i = 0; i < STATIC_DOCUMENTS; i++) {
                docs.add(new IndexedDocument("static_" + i, collection, Json.object().put("kind", "static"), Map.of("emb", new float[] {1, i, 0, 0})));
            }
            index.upsert(collection, docs);
        }
    }

    private void assertHoldsExactly(Load load) {
        System.out.println(load.summary());
        assertEquals(List.of(), load.failures, "calls that failed while the node was down or coming back");
        assertEquals(List.of(), load.partialCounts, "counts of the fixed documents that saw only part of them");
        Map<String, Integer> expected = new TreeMap<>(load.expected());
        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
            Map<String, Integer> found = new TreeMap<>();
            for (IndexedDocument d : index.list(collection, FilterNode.ALL, List.of(), 0, 10_000).documents()) {
                if (d.fields().has("v")) found.put(d.documentId(), d.fields().get("v").asInt());
            }
            assertEquals(expected, found, "the documents the acknowledged calls imply, searched through the collection");
        }
        Map<String, Map<String, Integer>> byShard = new TreeMap<>();
        for (SolrCloud.Replica r : cloud.replicaList(solrCollection, 0)) {
            Map<String, Integer> onReplica = localDocuments(r.coreUrl());
            Map<String, Integer> shard = byShard.putIfAbsent(r.shard(), onReplica);
            if (shard != null) assertEquals(shard, onReplica, "the replicas of " + r.shard() + " differ; " + r.coreUrl() + " is one");
        }
        Map<String, Integer> union = new TreeMap<>();
        byShard.values().forEach(union::putAll);
        assertEquals(expected, union, "the documents the acknowledged calls imply, read from each shard's replicas alone");
    }

    /** The writers' documents one replica holds, asked of its core alone. */
    private Map<String, Integer> localDocuments(String coreUrl) {
        String url = coreUrl + "/select?wt=json&distrib=false&rows=10000&fl=id,_source&q=" + URLEncoder.encode("-s.kind:static", StandardCharsets.UTF_8);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            Map<String, Integer> out = new TreeMap<>();
            for (JsonNode d : Json.read(r.body()).path("response").path("docs")) {
                out.put(d.path("id").asText(), Json.read(d.path("_source").asText()).path("v").asInt());
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int nodeHoldingALeader() {
        for (SolrCloud.Replica r : cloud.replicaList(solrCollection, 0)) if (r.leader()) return nodeOf(r);
        throw new IllegalStateException("no leader found: " + cloud.replicas(solrCollection, 0));
    }

    /** A node with replicas but no leadership, so that leaders keep forwarding to a dead follower; else any with a replica. */
    private int nodeHoldingOnlyFollowers() {
        List<SolrCloud.Replica> all = cloud.replicaList(solrCollection, 0);
        for (SolrCloud.Replica r : all) {
            int node = nodeOf(r);
            if (all.stream().noneMatch(o -> o.leader() && nodeOf(o) == node)) return node;
        }
        return nodeOf(all.getFirst());
    }

    private int nodeOf(SolrCloud.Replica r) {
        for (int i = 0; i < cloud.nodes().size(); i++) if (r.coreUrl().startsWith(cloud.baseUrl(i) + "/")) return i;
        throw new IllegalStateException("a replica on no node of ours: " + r);
    }

    /** The writers and the reader, each thread with its own index on the node URLs in its own order. */
    private static final class Load implements AutoCloseable {
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<Long> partialCounts = new CopyOnWriteArrayList<>();
        private final List<Writer> writers = new ArrayList<>();
        private final List<SolrDocumentIndex> indexes = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private final AtomicInteger counts = new AtomicInteger();
        private final Map<String, Integer> retriedFailures = new ConcurrentHashMap<>();
        private final Handler retries = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage() != null) retriedFailures.merge(kindOf(record.getMessage()), 1, Integer::sum);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        private final Logger log = Logger.getLogger(SolrDocumentIndex.class.getName());

        static Load start(SolrCloud cloud, String collection) {
            Load load = new Load();
            load.log.setLevel(Level.FINE);
            load.log.addHandler(load.retries);
            for (int t = 0; t <= WRITERS; t++) {
                List<String> urls = new ArrayList<>(cloud.baseUrls());
                Collections.rotate(urls, -t);
                SolrDocumentIndex index = new SolrDocumentIndex(new SolrDocumentIndex.Options(urls, 2, 2, Duration.ofSeconds(90)));
                load.indexes.add(index);
                if (t < WRITERS) {
                    Writer w = new Writer(t, collection, index, load);
                    load.writers.add(w);
                    load.threads.add(Thread.ofPlatform().name("writer-" + t).start(w::run));
                } else {
                    load.threads.add(Thread.ofPlatform().name("reader").start(() -> load.read(index, collection)));
                }
            }
            return load;
        }

        /** Counts the fixed documents until stopped: a count is all of them, or a failure, never fewer. */
        private void read(SolrDocumentIndex index, String collection) {
            FilterNode fixed = new FilterNode.Condition("kind", FilterNode.Operator.EQ, TextNode.valueOf("static"));
            while (!stopping.get()) {
                try {
                    long n = index.count(collection, fixed);
                    if (n != STATIC_DOCUMENTS) partialCounts.add(n);
                    counts.incrementAndGet();
                } catch (RuntimeException e) {
                    failures.add("count: " + e);
                }
            }
        }

        /** Waits until every writer has had {@code more} further calls acknowledged. */
        void awaitEach(int more) {
            Map<Writer, Integer> target = new HashMap<>();
            for (Writer w : writers) target.put(w, w.acknowledged.get() + more);
            long deadline = System.nanoTime() + PROGRESS_LIMIT.toNanos();
            while (writers.stream().anyMatch(w -> w.acknowledged.get() < target.get(w))) {
                for (Thread t : threads) if (!t.isAlive()) throw new AssertionError(t.getName() + " ended early; failures: " + failures);
                if (System.nanoTime() > deadline) throw new AssertionError("the writers made no progress within " + PROGRESS_LIMIT + ": " + summary());
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        }

        void stop() {
            stopping.set(true);
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        Map<String, Integer> expected() {
            Map<String, Integer> out = new HashMap<>();
            for (Writer w : writers) out.putAll(w.expected());
            return out;
        }

        String summary() {
            long retried = indexes.stream().mapToLong(SolrDocumentIndex::retried).sum();
            int acknowledged = writers.stream().mapToInt(w -> w.acknowledged.get()).sum();
            long longest = writers.stream().mapToLong(w -> w.longestNanos).max().orElse(0);
            return "node loss: " + acknowledged + " writes acknowledged, the longest in " + Duration.ofNanos(longest).toMillis() + " ms, "
                    + counts.get() + " counts answered, " + failures.size() + " calls failed, " + retried
                    + " requests retried; retried failures by kind: " + new TreeMap<>(retriedFailures);
        }

        /** A retried failure's message without the node, ids and numbers that differ between occurrences. */
        private static String kindOf(String message) {
            String m = message.replaceFirst("^retrying a Solr request after a failure at \\S+: ", "");
            m = m.replaceAll("https?://[^\\s:/]+:\\d+/\\S*", "<url>").replaceAll("\\d+", "#").replaceAll("\\s+", " ");
            return m.length() > 240 ? m.substring(0, 240) : m;
        }

        @Override
        public void close() {
            stop();
            log.removeHandler(retries);
            for (SolrDocumentIndex i : indexes) i.close();
        }
    }

    /**
     * One writer's calls, on ids only it writes, and the documents they imply: by id, its upserted
     * ones and, per producer, the set its last replace wrote; each with the bucket that deletion by
     * filter selects on and the version {@code v} of its last write.
     */
    private static final class Writer {
        private record Doc(int bucket, int v) {
        }

        private final int t;
        private final String collection;
        private final SolrDocumentIndex index;
        private final Load load;
        private final Random random;
        private final Map<String, Doc> upserted = new HashMap<>();
        private final Map<String, Map<String, Doc>> produced = new HashMap<>();
        final AtomicInteger acknowledged = new AtomicInteger();
        /** The longest a call took, retries included: how long a write waits out a node's loss. */
        volatile long longestNanos;
        private int version;

        Writer(int t, String collection, SolrDocumentIndex index, Load load) {
            this.t = t;
            this.collection = collection;
            this.index = index;
            this.load = load;
            this.random = new Random(31L * t + 7);
        }

        void run() {
            while (!load.stopping.get()) {
                int op = random.nextInt(100);
                if (op < 35) upsert();
                else if (op < 70) replace();
                else if (op < 90) deleteOne();
                else deleteBucket();
                acknowledged.incrementAndGet();
            }
        }

        private IndexedDocument doc(String id, Doc d) {
            return new IndexedDocument(id, collection, Json.object().put("writer", t).put("bucket", d.bucket()).put("v", d.v()),
                    Map.of("emb", new float[] {1, d.v(), t, d.bucket()}));
        }

        private void upsert() {
            Map<String, Doc> batch = new HashMap<>();
            for (int i = 1 + random.nextInt(3); i > 0; i--) batch.put("w" + t + "_u" + random.nextInt(20), new Doc(random.nextInt(4), ++version));
            call("upsert", () -> index.upsert(collection, batch.entrySet().stream().map(e -> doc(e.getKey(), e.getValue())).toList()));
            upserted.putAll(batch);
        }

        private void replace() {
            Map<String, Map<String, Doc>> sets = new HashMap<>();
            for (int i = 1 + random.nextInt(2); i > 0; i--) {
                String producer = "w" + t + "_p" + random.nextInt(8);
                Map<String, Doc> set = new HashMap<>();
                for (int n = random.nextInt(4); n > 0; n--) set.put(producer + "_d" + random.nextInt(4), new Doc(random.nextInt(4), ++version));
                sets.put(producer, set);
            }
            List<ProducedDocuments> request = new ArrayList<>();
            for (var s : sets.entrySet()) {
                request.add(new ProducedDocuments(s.getKey(), s.getValue().entrySet().stream().map(e -> doc(e.getKey(), e.getValue())).toList()));
            }
            call("replace", () -> index.replace(collection, request));
            produced.putAll(sets);
        }

        private void deleteOne() {
            List<String> ids = new ArrayList<>(upserted.keySet());
            produced.values().forEach(s -> ids.addAll(s.keySet()));
            String id = ids.isEmpty() ? "w" + t + "_u0" : ids.get(random.nextInt(ids.size()));
            call("delete", () -> index.delete(collection, id));
            upserted.remove(id);
            produced.values().forEach(s -> s.remove(id));
        }

        private void deleteBucket() {
            int bucket = random.nextInt(4);
            FilterNode filter = new FilterNode.And(List.of(
                    new FilterNode.Condition("writer", FilterNode.Operator.EQ, IntNode.valueOf(t)),
                    new FilterNode.Condition("bucket", FilterNode.Operator.EQ, IntNode.valueOf(bucket))));
            call("deleteMatching", () -> index.deleteMatching(collection, filter));
            upserted.values().removeIf(d -> d.bucket() == bucket);
            produced.values().forEach(s -> s.values().removeIf(d -> d.bucket() == bucket));
        }

        /**
         * Runs a call until it succeeds, as ingestion's redelivery would, counting each failure: after
         * a failure the call's effect is unknown, after its success it is known again.
         */
        private void call(String what, Runnable call) {
            for (int attempt = 1; ; attempt++) {
                long start = System.nanoTime();
                try {
                    call.run();
                    longestNanos = Math.max(longestNanos, System.nanoTime() - start);
                    return;
                } catch (RuntimeException e) {
                    load.failures.add("writer " + t + " " + what + ": " + e);
                    if (attempt >= 5) throw e;
                }
            }
        }

        Map<String, Integer> expected() {
            Map<String, Integer> out = new HashMap<>();
            upserted.forEach((id, d) -> out.put(id, d.v()));
            produced.values().forEach(s -> s.forEach((id, d) -> out.put(id, d.v())));
            return out;
        }
    }
}
