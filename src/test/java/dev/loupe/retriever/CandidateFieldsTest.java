package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.filter.FilterTree;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SortKey;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Facets, group_by, deduplicate, sorting, filters and the index read a field, a word and a bound value the same way. */
class CandidateFieldsTest {
    @TempDir
    Path dir;

    private static ScoredDocument doc(String id, String json) {
        return new ScoredDocument(new IndexedDocument(id, "col", (ObjectNode) Json.read(json), Map.of()), 1f);
    }

    private static List<String> ids(List<ScoredDocument> hits) {
        return hits.stream().map(h -> h.document().documentId()).toList();
    }

    @Test
    void groupByDeduplicateAndSortSeeValuesInsideArraysOfObjectsAsFacetsDo() {
        List<ScoredDocument> in = List.of(
                doc("d1", "{\"variants\": [{\"color\": \"red\"}]}"),
                doc("d2", "{\"variants\": [{\"color\": \"blue\"}, {\"color\": \"red\"}]}"),
                doc("d3", "{\"variants\": [{\"color\": \"red\"}]}"),
                doc("d4", "{\"other\": 1}"));
        assertEquals("red", CandidateOps.facet(in, "variants.color", 10).get(0).path("value").asText());
        assertEquals(List.of("d1", "d2", "d4"), ids(CandidateOps.deduplicate(in, "variants.color")),
                "d3 repeats d1's red; d2's smallest value is blue; d4 has none and is kept");
        assertEquals(List.of("d1", "d3", "d2", "d4"), ids(CandidateOps.groupBy(in, "variants.color", 5, 10)));
        assertEquals(List.of("d2", "d1", "d3", "d4"), ids(CandidateOps.sortByField(in, "variants.color", false)),
                "ascending by the smallest value, missing last");
    }

    @Test
    void sortingAMultiValuedFieldAgreesWithTheIndex() {
        List<ScoredDocument> in = List.of(
                doc("d1", "{\"n\": [5, 1]}"), doc("d2", "{\"n\": 3}"), doc("d3", "{\"n\": [2, 9]}"), doc("d4", "{\"n\": \"text\"}"));
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            index.upsert("col", in.stream().map(ScoredDocument::document).toList());
            for (boolean descending : new boolean[] {false, true}) {
                List<String> inIndex = index.list("col", FilterNode.ALL, List.of(new SortKey("n", descending)), 0, 10).documents()
                        .stream().map(IndexedDocument::documentId).toList();
                assertEquals(inIndex, ids(CandidateOps.sortByField(in, "n", descending)), descending ? "descending" : "ascending");
            }
            assertEquals(List.of("d3", "d1", "d2", "d4"), ids(CandidateOps.sortByField(in, "n", true)), "descending by the largest value");
        }
    }

    @Test
    void aValueInsideNestedArraysMatchesInTheIndexAsInMemory() {
        ScoredDocument d = doc("d1", "{\"nested\": [[1, 2]]}");
        FilterNode filter = FilterParser.parseStatic(Json.read("{\"nested\": 1}"), "filters");
        assertTrue(FilterMatcher.matches(filter, d.document().fields()));
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            index.upsert("col", List.of(d.document()));
            assertEquals(1, index.count("col", filter), "pre_filters see what attribute_filter sees");
        }
    }

    @Test
    void theTextOperatorReadsWordsAsTheIndexDoes() {
        String[][] cases = {{"foo_bar bag", "foo"}, {"3.5 inch", "3"}, {"don't stop", "don"}, {"東京タワー", "東京"}, {"Foo-Bar", "bar"}};
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(dir)) {
            for (int i = 0; i < cases.length; i++) {
                index.upsert("col", List.of(new IndexedDocument("d" + i, "col", Json.object().put("t", cases[i][0]), Map.of())));
            }
            for (int i = 0; i < cases.length; i++) {
                ObjectNode f = Json.object().put("field", "t").put("operator", "text").put("value", cases[i][1]);
                FilterNode filter = FilterParser.parseStatic(f, "filters");
                int row = i;
                long inMemory = index.list("col", FilterNode.ALL, List.of(), 0, 10).documents().stream()
                        .filter(doc -> FilterMatcher.matches(filter, doc.fields())).count();
                assertEquals(index.count("col", filter), inMemory, () -> "'" + cases[row][1] + "' in '" + cases[row][0] + "'");
            }
        }
    }

    @Test
    void aFilterIsParsedOnceAndItsDynamicValuesAreTypedWhenBound() {
        FilterTree tree = FilterParser.tree(Json.read("""
                {"AND": [{"field": "c", "operator": "in", "value": {"type": "dynamic", "field": "inputs.colours"}},
                         {"field": "p", "operator": "lte", "value": {"type": "dynamic", "field": "inputs.max"}},
                         {"field": "s", "operator": "starts_with", "value": {"type": "dynamic", "field": "inputs.prefix"}}]}"""), "pre_filters");
        ObjectNode good = (ObjectNode) Json.read("{\"colours\": [\"red\"], \"max\": 10, \"prefix\": \"SK\"}");
        FilterNode bound = tree.bind(Templates.forFilters(good, "stage 's'"));
        assertTrue(FilterMatcher.matches(bound, Json.read("{\"c\": \"red\", \"p\": 3, \"s\": \"SKU\"}")));
        FilterNode other = tree.bind(Templates.forFilters((ObjectNode) Json.read("{\"colours\": [\"blue\"], \"max\": 10, \"prefix\": \"SK\"}"), "stage 's'"));
        assertTrue(!FilterMatcher.matches(other, Json.read("{\"c\": \"red\", \"p\": 3, \"s\": \"SKU\"}")), "each execution binds its own inputs");
        LoupeException.Invalid e = org.junit.jupiter.api.Assertions.assertThrows(LoupeException.Invalid.class, () -> tree.bind(
                Templates.forFilters((ObjectNode) Json.read("{\"colours\": \"red\", \"max\": 10, \"prefix\": \"SK\"}"), "stage 's'")));
        assertEquals("pre_filters.AND[0].value", e.field());
        assertTrue(e.getMessage().contains("inputs.colours"), e.getMessage());
    }
}
