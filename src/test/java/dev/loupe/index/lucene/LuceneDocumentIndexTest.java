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
}
