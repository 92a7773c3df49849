package dev.loupe.index.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.DroppedCollectionException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.contract.DocumentIndexContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@link DocumentIndexContract} on embedded Lucene, and what only Lucene does: segments, compaction, its directories. */
class LuceneDocumentIndexTest extends DocumentIndexContract {
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return new LuceneDocumentIndex(dir);
    }

    private LuceneDocumentIndex lucene() {
        return (LuceneDocumentIndex) index;
    }

    @Test
    void compactionMergesBatchesIntoOneSegmentAndChangesNoResult() {
        for (int b = 0; b < 3; b++) {
            List<IndexedDocument> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ObjectNode f = Json.object();
                f.put("batch", b);
                batch.add(new IndexedDocument("extra_" + b + "_" + i, collection, f, Map.of("emb", vectors.get(b * 20 + i))));
            }
            index.upsert(collection, batch);
        }
        FilterNode all = FilterNode.ALL;
        List<String> before = index.nearest(collection, "emb", vectors.get(7), 10, all).stream().map(h -> h.document().documentId()).toList();
        assertTrue(lucene().compact(collection), "four commits left four segments");
        assertFalse(lucene().compact(collection), "one segment is as compact as it gets");
        assertEquals(before, index.nearest(collection, "emb", vectors.get(7), 10, all).stream().map(h -> h.document().documentId()).toList());
        assertEquals(N + 60, index.count(collection, all));
        assertEquals(DIMENSION, index.get(collection, "extra_2_19").orElseThrow().vectors().get("emb").length, "vectors survive the merge");
    }

    @Test
    void twoCompactionsOfOneCollectionAtOnceMergeItOnce() throws Exception {
        // as when a collection is compacted explicitly just as the idle compaction finds it
        for (int b = 0; b < 4; b++) {
            List<IndexedDocument> batch = new ArrayList<>();
            for (int i = 0; i < 500; i++) batch.add(new IndexedDocument("more_" + b + "_" + i, collection, Json.object(), Map.of("emb", vectors.get(i % N))));
            index.upsert(collection, batch);
        }
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            List<java.util.concurrent.Future<Boolean>> merged = new ArrayList<>();
            for (int t = 0; t < 2; t++) merged.add(pool.submit(() -> {
                start.await();
                return lucene().compact(collection);
            }));
            int merges = 0;
            for (var m : merged) if (m.get()) merges++;
            assertEquals(1, merges, "the second waited for the first, and found it compact");
        }
        assertEquals(N + 2000, index.count(collection, FilterNode.ALL));
    }

    @Test
    void aDocumentWithAMegabyteOfTextIsReadBackWhole() {
        // its id and JSON go into one binary doc value, which has no 32 KB term limit
        String text = "ocr line with words ".repeat(52_429);
        ObjectNode f = Json.object().put("ocr_text", text).put("brand", "Acme");
        index.upsert(collection, List.of(new IndexedDocument("doc_big", collection, f, Map.of("emb", vectors.get(3)))));
        reopen();
        IndexedDocument back = index.get(collection, "doc_big").orElseThrow();
        assertEquals(text, back.fields().path("ocr_text").asText());
        // doc_3 has the same vector: both are the nearest
        assertTrue(index.nearest(collection, "emb", vectors.get(3), 2, FilterNode.ALL).stream()
                .anyMatch(h -> h.document().documentId().equals("doc_big") && h.document().fields().path("ocr_text").asText().equals(text)));
    }

    @Test
    void aWriteAfterADropMakesNoIndexDirectoryAgain() {
        index.drop(collection);
        IndexedDocument late = new IndexedDocument("doc_late", collection, Json.object().put("brand", "Acme"), Map.of("emb", vectors.get(0)));
        assertThrows(DroppedCollectionException.class, () -> index.upsert(collection, List.of(late)));
        assertFalse(Files.exists(dir.resolve(collection)), "no index directory is made again");
        reopen();
        assertThrows(DroppedCollectionException.class, () -> index.upsert(collection, List.of(late)));
        assertFalse(Files.exists(dir.resolve(collection)));
    }

    @Test
    void deleteMatchingGivesACollectionWithoutAnIndexNoDirectory() {
        FilterNode filter = new FilterNode.Condition("root_object_id", FilterNode.Operator.EQ, TextNode.valueOf("obj_1"));
        assertEquals(0, index.deleteMatching("col_dropped", filter));
        assertFalse(Files.exists(dir.resolve("col_dropped")));
    }

    @Test
    void threadsPassedInOutliveTheIndexesThatUseThem() {
        IndexedDocument doc = new IndexedDocument("doc_0", collection, Json.object(), Map.of("emb", vectors.get(0)));
        IndexThreads threads = IndexThreads.create(1);
        try {
            try (LuceneDocumentIndex first = new LuceneDocumentIndex(dir.resolve("first"), LuceneDocumentIndex.Options.DEFAULT, threads)) {
                first.upsert(collection, List.of(doc));
            }
            assertFalse(threads.segmentSearch().isShutdown(), "whoever made the pools closes them");
            assertFalse(threads.graphMerge().isShutdown());
            try (LuceneDocumentIndex second = new LuceneDocumentIndex(dir.resolve("second"), LuceneDocumentIndex.Options.DEFAULT, threads)) {
                second.upsert(collection, List.of(doc));
                assertEquals("doc_0", second.nearest(collection, "emb", vectors.get(0), 1, FilterNode.ALL).getFirst().document().documentId());
            }
        } finally {
            threads.close();
        }
        assertTrue(threads.segmentSearch().isShutdown());
    }

    @Test
    void oneThreadIsEnoughToIndexAndCompact() {
        // Lucene refuses a merge executor for a single merge worker, as on a one-core machine.
        try (IndexThreads threads = IndexThreads.create(1);
             LuceneDocumentIndex single = new LuceneDocumentIndex(dir.resolve("single"), LuceneDocumentIndex.Options.DEFAULT, threads)) {
            for (int i = 0; i < 2; i++) {
                single.upsert(collection, List.of(new IndexedDocument("doc_" + i, collection, Json.object(), Map.of("emb", vectors.get(i)))));
            }
            assertTrue(single.compact(collection), "two commits left two segments");
            assertEquals("doc_1", single.nearest(collection, "emb", vectors.get(1), 1, FilterNode.ALL).getFirst().document().documentId());
        }
    }

    @Test
    void aBatchWrittenOnTwoThreadsKeepsTheLastWriteOfEachIdAndEveryDocument() {
        // Enough documents for two slices, each written by its own thread into its own segment.
        int n = 2 * DocumentWriter.MIN_SLICE + 101; // odd: a round-robin split would part the two writes of an id
        List<IndexedDocument> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new IndexedDocument("big_" + i, collection, Json.object().put("write", "first"), Map.of("emb", vectors.get(i % N))));
        }
        for (int i = 0; i < 50; i++) {
            batch.add(new IndexedDocument("big_" + i, collection, Json.object().put("write", "second"), Map.of("emb", vectors.get(i % N))));
        }
        try (IndexThreads threads = IndexThreads.create(2);
             LuceneDocumentIndex two = new LuceneDocumentIndex(dir.resolve("two"), LuceneDocumentIndex.Options.DEFAULT, threads)) {
            two.upsert(collection, batch);
            assertEquals(n, two.count(collection, FilterNode.ALL));
            for (int i = 0; i < 60; i++) {
                String expected = i < 50 ? "second" : "first";
                assertEquals(expected, two.get(collection, "big_" + i).orElseThrow().fields().path("write").asText(), "big_" + i);
            }
            assertTrue(two.compact(collection), "two threads wrote two segments");
        }
    }

    @Test
    void slicesKeepEveryWriteOfAnIdInOneSliceInItsOrder() {
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 100; i++) docs.add(new IndexedDocument("d" + (i % 30), collection, Json.object().put("n", i), Map.of()));
        List<List<IndexedDocument>> slices = DocumentWriter.slices(docs, 3);
        assertEquals(3, slices.size());
        assertEquals(100, slices.stream().mapToInt(List::size).sum());
        for (List<IndexedDocument> slice : slices) {
            for (List<IndexedDocument> other : slices) {
                if (other != slice) assertTrue(other.stream().noneMatch(d -> slice.stream().anyMatch(s -> s.documentId().equals(d.documentId()))));
            }
            List<Integer> order = slice.stream().map(d -> d.fields().path("n").asInt()).toList();
            assertEquals(order.stream().sorted().toList(), order, "a slice keeps the batch's order");
        }
    }
}
