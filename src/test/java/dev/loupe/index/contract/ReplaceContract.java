package dev.loupe.index.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ProducedDocuments;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DocumentIndex#replace}, on every engine: an input's documents replace its earlier set, whatever its size was. */
public abstract class ReplaceContract {
    @TempDir
    protected Path dir;
    protected DocumentIndex index;
    protected final String collection = CollectionIds.unique("col_faces");

    /** An index keeping its files (if any) under {@code dir}; opening it again on the same dir sees what was written. */
    protected abstract DocumentIndex openIndex(Path dir);

    @BeforeEach
    void open() {
        index = openIndex(dir);
    }

    @AfterEach
    void closeIndex() {
        index.close();
    }

    private IndexedDocument doc(String id, String label) {
        return new IndexedDocument(id, collection, Json.object().put("label", label), Map.of("emb", new float[] {1, 0, 0, 0, 0, 0, 0, 0}));
    }

    private ProducedDocuments produced(String producer, String prefix, int n) {
        return new ProducedDocuments(producer, IntStream.range(0, n).mapToObj(i -> doc(prefix + i, producer)).toList());
    }

    private List<String> ids() {
        return index.list(collection, FilterNode.ALL, List.of(), 0, 100).documents().stream()
                .map(IndexedDocument::documentId).sorted().toList();
    }

    @Test
    void aSmallerSetRemovesTheDocumentsNoLongerProduced() {
        index.replace(collection, List.of(produced("photo-1", "a", 3), produced("photo-2", "b", 2)));
        assertEquals(List.of("a0", "a1", "a2", "b0", "b1"), ids());

        index.replace(collection, List.of(produced("photo-1", "a", 1)));
        assertEquals(List.of("a0", "b0", "b1"), ids(), "photo-1's second and third faces are gone, photo-2's untouched");
    }

    @Test
    void anEmptySetRemovesEverythingTheProducerWrote() {
        index.replace(collection, List.of(produced("photo-1", "a", 2), produced("photo-2", "b", 1)));
        index.replace(collection, List.of(new ProducedDocuments("photo-1", List.of())));
        assertEquals(List.of("b0"), ids());
    }

    @Test
    void rewritingFieldsKeepsTheProducerSoTheNextReplaceStillRemovesTheDocument() {
        index.replace(collection, List.of(produced("photo-1", "a", 2)));
        assertTrue(index.updateFields(collection, "a1", f -> f.put("label", "renamed")).isPresent());
        index.replace(collection, List.of(produced("photo-1", "a", 1)));
        assertEquals(List.of("a0"), ids());
    }

    @Test
    void aDocumentWrittenWithoutAProducerIsReplacedByItsId() {
        index.upsert(collection, List.of(doc("a0", "old"), doc("other", "old")));
        index.replace(collection, List.of(produced("photo-1", "a", 2)));
        assertEquals(List.of("a0", "a1", "other"), ids());
        assertEquals("photo-1", index.get(collection, "a0").orElseThrow().fields().path("label").asText());
    }

    @Test
    void replacingTwiceLeavesOneCopyOfEachDocument() {
        for (int run = 0; run < 2; run++) index.replace(collection, List.of(produced("photo-1", "a", 3)));
        assertEquals(3, index.count(collection, FilterNode.ALL));
    }

    @Test
    void aReplacementIsDurableWhenItReturns() {
        index.replace(collection, List.of(produced("photo-1", "a", 3)));
        index.replace(collection, List.of(produced("photo-1", "a", 2)));
        index.close();
        index = openIndex(dir);
        assertEquals(List.of("a0", "a1"), ids());
        index.replace(collection, List.of(produced("photo-1", "a", 1)));
        assertEquals(List.of("a0"), ids(), "the producer is remembered across a reopen");
    }
}
