package dev.loupe.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeleteMatchingTest {
    private static FilterNode root(String objectId) {
        return new FilterNode.Condition("root_object_id", FilterNode.Operator.EQ, TextNode.valueOf(objectId));
    }

    private static List<IndexedDocument> documents(int n) {
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode f = Json.object();
            f.put("root_object_id", "obj_" + (i % 3));
            docs.add(new IndexedDocument("doc_" + i, "col_a", f, Map.of("emb", new float[] {1, i, 0})));
        }
        return docs;
    }

    @Test
    void removesOnlyTheMatchingDocumentsAndTheRemovalSurvivesReopening(@TempDir Path dir) {
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            index.upsert("col_a", documents(9));
            assertEquals(3, index.deleteMatching("col_a", root("obj_1")));
            assertEquals(0, index.count("col_a", root("obj_1")));
            assertEquals(6, index.count("col_a", FilterNode.ALL));
            assertTrue(index.get("col_a", "doc_1").isEmpty());
            assertEquals(0, index.nearest("col_a", "emb", new float[] {1, 1, 0}, 10, root("obj_1")).size(), "gone from search too");
            assertEquals(0, index.deleteMatching("col_a", root("obj_1")), "removing again finds nothing");
        }
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            assertEquals(0, index.count("col_a", root("obj_1")));
            assertEquals(6, index.count("col_a", FilterNode.ALL));
        }
    }

    @Test
    void aCollectionWithoutAnIndexIsNotGivenOne(@TempDir Path dir) {
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            assertEquals(0, index.deleteMatching("col_dropped", root("obj_1")));
            assertFalse(Files.exists(dir.resolve("col_dropped")));
        }
    }
}
