package dev.loupe.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DocumentIndex#replace}: an input's documents replace its earlier set, whatever its size was. */
class ReplaceProducedTest {
    private static final String COL = "col_faces";
    private LuceneDocumentIndex index;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        index = new LuceneDocumentIndex(dir);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private static IndexedDocument doc(String id, String label) {
        return new IndexedDocument(id, COL, Json.object().put("label", label), Map.of("emb", new float[]{1, 0, 0}));
    }

    private static ProducedDocuments produced(String producer, String prefix, int n) {
        return new ProducedDocuments(producer, IntStream.range(0, n).mapToObj(i -> doc(prefix + i, producer)).toList());
    }

    private List<String> ids() {
        return index.list(COL, FilterNode.ALL, List.of(new SortKey("document_id", false)), 0, 100).documents().stream()
                .map(IndexedDocument::documentId).sorted().toList();
    }

    @Test
    void aSmallerSetRemovesTheDocumentsNoLongerProduced() {
        index.replace(COL, List.of(produced("photo-1", "a", 3), produced("photo-2", "b", 2)));
        assertEquals(List.of("a0", "a1", "a2", "b0", "b1"), ids());

        index.replace(COL, List.of(produced("photo-1", "a", 1)));
        assertEquals(List.of("a0", "b0", "b1"), ids(), "photo-1's second and third faces are gone, photo-2's untouched");
    }

    @Test
    void anEmptySetRemovesEverythingTheProducerWrote() {
        index.replace(COL, List.of(produced("photo-1", "a", 2), produced("photo-2", "b", 1)));
        index.replace(COL, List.of(new ProducedDocuments("photo-1", List.of())));
        assertEquals(List.of("b0"), ids());
    }

    @Test
    void rewritingFieldsKeepsTheProducerSoTheNextReplaceStillRemovesTheDocument() {
        index.replace(COL, List.of(produced("photo-1", "a", 2)));
        assertTrue(index.updateFields(COL, "a1", f -> f.put("label", "renamed")).isPresent());
        index.replace(COL, List.of(produced("photo-1", "a", 1)));
        assertEquals(List.of("a0"), ids());
    }

    @Test
    void aDocumentWrittenWithoutAProducerIsReplacedByItsId() {
        index.upsert(COL, List.of(doc("a0", "old"), doc("other", "old")));
        index.replace(COL, List.of(produced("photo-1", "a", 2)));
        assertEquals(List.of("a0", "a1", "other"), ids());
        assertEquals("photo-1", index.get(COL, "a0").orElseThrow().fields().path("label").asText());
    }

    @Test
    void replacingTwiceLeavesOneCopyOfEachDocument() {
        for (int run = 0; run < 2; run++) index.replace(COL, List.of(produced("photo-1", "a", 3)));
        assertEquals(3, index.count(COL, FilterNode.ALL));
    }
}
