package dev.loupe.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.inference.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneDocumentIndexTest {
    private static final String COL = "col_test";
    private static final int N = 300;
    private LuceneDocumentIndex index;
    private final List<float[]> vectors = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void fill() throws Exception {
        index = new LuceneDocumentIndex(dir);
        Random rnd = new Random(42);
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            float[] v = new float[16];
            for (int d = 0; d < v.length; d++) v[d] = (float) rnd.nextGaussian();
            Vectors.normalise(v);
            vectors.add(v);
            ObjectNode f = Json.object();
            f.put("n", i);
            f.put("brand", i % 3 == 0 ? "Acme" : "Globex");
            f.putObject("metadata").put("price", i * 1.5).put("sku", String.format("SKU-%04d", i));
            if (i % 10 == 0) f.putNull("discontinued");
            f.putArray("tags").add(i % 2 == 0 ? "even" : "odd").add("all");
            f.put("title", "Product number " + i + (i % 7 == 0 ? " leather" : " canvas"));
            f.put("in_stock", i % 4 == 0);
            f.put("code", String.valueOf(i % 50));
            docs.add(new IndexedDocument("doc_" + i, COL, f, Map.of("emb", v)));
        }
        index.upsert(COL, docs);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private long count(String filterJson) {
        return index.count(COL, FilterParser.parseStatic(Json.read(filterJson), "filters"));
    }

    @Test
    void everyOperatorSelectsTheRightDocuments() {
        assertEquals(100, count("{\"brand\": \"Acme\"}"));
        assertEquals(200, count("{\"field\": \"brand\", \"operator\": \"ne\", \"value\": \"Acme\"}"));
        assertEquals(10, count("{\"field\": \"n\", \"operator\": \"lt\", \"value\": 10}"));
        assertEquals(11, count("{\"field\": \"n\", \"operator\": \"lte\", \"value\": 10}"));
        assertEquals(289, count("{\"field\": \"n\", \"operator\": \"gt\", \"value\": 10}"));
        assertEquals(290, count("{\"field\": \"n\", \"operator\": \"gte\", \"value\": 10}"));
        assertEquals(3, count("{\"field\": \"n\", \"operator\": \"in\", \"value\": [1, 2, 3, 1000]}"));
        assertEquals(297, count("{\"field\": \"n\", \"operator\": \"nin\", \"value\": [1, 2, 3]}"));
        assertEquals(150, count("{\"field\": \"tags\", \"operator\": \"contains\", \"value\": \"even\"}"));
        assertEquals(300, count("{\"field\": \"tags\", \"operator\": \"eq\", \"value\": \"all\"}"));
        assertEquals(10, count("{\"field\": \"metadata.sku\", \"operator\": \"starts_with\", \"value\": \"SKU-000\"}"));
        assertEquals(30, count("{\"field\": \"metadata.sku\", \"operator\": \"ends_with\", \"value\": \"7\"}"));
        assertEquals(30, count("{\"field\": \"metadata.sku\", \"operator\": \"regex\", \"value\": \"SKU-0[0-9]{2}5\"}"));
        assertEquals(30, count("{\"field\": \"discontinued\", \"operator\": \"is_null\", \"value\": true}"));
        assertEquals(300, count("{\"field\": \"metadata.price\", \"operator\": \"exists\", \"value\": true}"));
        assertEquals(0, count("{\"field\": \"metadata.colour\", \"operator\": \"exists\", \"value\": true}"));
        assertEquals(43, count("{\"field\": \"title\", \"operator\": \"text\", \"value\": \"Leather\"}"));
        assertEquals(2, count("{\"field\": \"metadata.price\", \"operator\": \"gte\", \"value\": 447}"));
    }

    @Test
    void theInMemoryMatcherAgreesWithTheIndexOnEveryOperator() {
        List<IndexedDocument> all = index.list(COL, FilterNode.ALL, List.of(), 0, N).documents();
        String[] filters = {
                "{\"brand\": \"Acme\"}", "{\"field\": \"brand\", \"operator\": \"ne\", \"value\": \"Acme\"}",
                "{\"field\": \"n\", \"operator\": \"lt\", \"value\": 10}", "{\"field\": \"n\", \"operator\": \"gte\", \"value\": 10}",
                "{\"field\": \"n\", \"operator\": \"in\", \"value\": [1, 2, 3, 1000]}", "{\"field\": \"n\", \"operator\": \"nin\", \"value\": [1, 2]}",
                "{\"field\": \"tags\", \"operator\": \"contains\", \"value\": \"even\"}",
                "{\"field\": \"metadata.sku\", \"operator\": \"starts_with\", \"value\": \"SKU-000\"}",
                "{\"field\": \"metadata.sku\", \"operator\": \"ends_with\", \"value\": \"7\"}",
                "{\"field\": \"metadata.sku\", \"operator\": \"regex\", \"value\": \"SKU-0[0-9]{2}5\"}",
                "{\"field\": \"discontinued\", \"operator\": \"is_null\", \"value\": true}",
                "{\"field\": \"metadata.colour\", \"operator\": \"exists\", \"value\": false}",
                "{\"field\": \"title\", \"operator\": \"text\", \"value\": \"Leather\"}",
                "{\"field\": \"metadata.price\", \"operator\": \"lte\", \"value\": 30}",
                "{\"NOT\": [{\"OR\": [{\"brand\": \"Acme\"}, {\"field\": \"tags\", \"operator\": \"eq\", \"value\": \"even\"}]}]}",
                "{\"field\": \"nope\", \"operator\": \"ne\", \"value\": \"x\"}",
                "{\"n\": \"7\"}", "{\"field\": \"n\", \"operator\": \"gte\", \"value\": \"290\"}",
                "{\"code\": 7}", "{\"field\": \"code\", \"operator\": \"in\", \"value\": [7, \"8\"]}",
                "{\"in_stock\": \"true\"}", "{\"in_stock\": false}",
                "{\"field\": \"code\", \"operator\": \"lt\", \"value\": 2}"};
        for (String f : filters) {
            FilterNode node = FilterParser.parseStatic(Json.read(f), "filters");
            long inMemory = all.stream().filter(d -> dev.loupe.filter.FilterMatcher.matches(node, d.fields())).count();
            assertEquals(index.count(COL, node), inMemory, f);
        }
    }

    @Test
    void aRegexReadsAsLuceneReadsItInTheIndexAndInMemory() {
        List<IndexedDocument> all = index.list(COL, FilterNode.ALL, List.of(), 0, N).documents();
        Map<String, Integer> expected = Map.of(
                "SKU-00<10-19>", 10,                    // a numeric interval
                "Product number 1@", 111,               // @ is any string: 1, 10–19, 100–199
                "SKU-0[01][0-9][0-9]&.*5", 20,          // & intersects: under 200 and ending in 5
                ".*leather", 43,
                "\\w+ number \\d\\d canvas", 77);     // predefined classes; 10–99 without multiples of 7
        expected.forEach((pattern, count) -> {
            String filter = "{\"field\": \"" + (pattern.startsWith("SKU") ? "metadata.sku" : "title") + "\", \"operator\": \"regex\", \"value\": \""
                    + pattern.replace("\\", "\\\\") + "\"}";
            FilterNode node = FilterParser.parseStatic(Json.read(filter), "filters");
            long want = count;
            assertEquals(want, index.count(COL, node), "index: " + pattern);
            assertEquals(want, all.stream().filter(d -> dev.loupe.filter.FilterMatcher.matches(node, d.fields())).count(), "in memory: " + pattern);
        });
    }

    @Test
    void filterValuesAreCoercedToTheFieldsType() {
        assertEquals(1, count("{\"n\": \"7\"}"), "a numeric string meets a number field");
        assertEquals(10, count("{\"field\": \"n\", \"operator\": \"gte\", \"value\": \"290\"}"));
        assertEquals(6, count("{\"code\": 7}"), "a number meets a string field as its text");
        assertEquals(12, count("{\"field\": \"code\", \"operator\": \"in\", \"value\": [7, \"8\"]}"));
        assertEquals(75, count("{\"in_stock\": \"true\"}"), "'true' meets a boolean field");
        assertEquals(225, count("{\"in_stock\": false}"));
        assertEquals(0, count("{\"n\": \"seven\"}"), "text that is no number never equals a number");
        // A string field compares as text: "10".."19" and "1" sort before "2".
        assertEquals(72, count("{\"field\": \"code\", \"operator\": \"lt\", \"value\": 2}"));
    }

    @Test
    void compactionMergesBatchesIntoOneSegmentAndChangesNoResult() {
        for (int b = 0; b < 3; b++) {
            List<IndexedDocument> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ObjectNode f = Json.object();
                f.put("batch", b);
                batch.add(new IndexedDocument("extra_" + b + "_" + i, COL, f, Map.of("emb", vectors.get(b * 20 + i))));
            }
            index.upsert(COL, batch);
        }
        FilterNode all = FilterNode.ALL;
        List<String> before = index.nearest(COL, "emb", vectors.get(7), 10, all).stream().map(h -> h.document().documentId()).toList();
        assertTrue(index.compact(COL), "four commits left four segments");
        assertFalse(index.compact(COL), "one segment is as compact as it gets");
        assertEquals(before, index.nearest(COL, "emb", vectors.get(7), 10, all).stream().map(h -> h.document().documentId()).toList());
        assertEquals(N + 60, index.count(COL, all));
        assertEquals(16, index.get(COL, "extra_2_19").orElseThrow().vectors().get("emb").length, "vectors survive the merge");
    }

    @Test
    void logicalNodesNest() {
        assertEquals(50, count("{\"AND\": [{\"brand\": \"Acme\"}, {\"field\": \"tags\", \"operator\": \"eq\", \"value\": \"even\"}]}"));
        assertEquals(200, count("{\"OR\": [{\"brand\": \"Acme\"}, {\"field\": \"tags\", \"operator\": \"eq\", \"value\": \"even\"}]}"));
        assertEquals(200, count("{\"NOT\": [{\"brand\": \"Acme\"}]}"));
        assertEquals(100, count("{\"NOT\": [{\"OR\": [{\"brand\": \"Acme\"}, {\"field\": \"tags\", \"operator\": \"eq\", \"value\": \"even\"}]}]}"));
        assertEquals(N, count("{}"));
    }

    @Test
    void aMissingFieldNeverMatches() {
        assertEquals(0, count("{\"field\": \"nope\", \"operator\": \"ne\", \"value\": \"x\"}"));
        assertEquals(0, count("{\"field\": \"nope\", \"operator\": \"nin\", \"value\": [\"x\"]}"));
    }

    @Test
    void filteredNearestNeighboursReturnTopKEvenWhenTheFilterIsSelective() {
        float[] q = vectors.get(5);
        FilterNode onePercent = FilterParser.parseStatic(Json.read("{\"field\": \"n\", \"operator\": \"lt\", \"value\": 3}"), "f");
        List<ScoredDocument> hits = index.nearest(COL, "emb", q, 10, onePercent);
        assertEquals(3, hits.size(), "only three documents match");
        FilterNode acme = FilterParser.parseStatic(Json.read("{\"brand\": \"Acme\"}"), "f");
        List<ScoredDocument> acmeHits = index.nearest(COL, "emb", q, 10, acme);
        assertEquals(10, acmeHits.size());
        acmeHits.forEach(h -> assertEquals("Acme", h.document().fields().path("brand").asText()));
        // exact answer for comparison
        List<Integer> exact = new ArrayList<>();
        for (int i = 0; i < N; i += 3) exact.add(i);
        exact.sort((a, b) -> Float.compare(Vectors.dot(q, vectors.get(b)), Vectors.dot(q, vectors.get(a))));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 10; i++) expected.add("doc_" + exact.get(i));
        Set<String> got = new HashSet<>();
        acmeHits.forEach(h -> got.add(h.document().documentId()));
        assertEquals(expected, got);
        assertEquals(Vectors.dot(q, vectors.get(exact.getFirst())), acmeHits.getFirst().score(), 1e-4, "score is the cosine");
    }

    @Test
    void upsertIsIdempotentByDocumentId() {
        ObjectNode f = Json.object().put("n", 999);
        index.upsert(COL, List.of(new IndexedDocument("doc_1", COL, f, Map.of("emb", vectors.get(1)))));
        index.upsert(COL, List.of(new IndexedDocument("doc_1", COL, f, Map.of("emb", vectors.get(1)))));
        assertEquals(N, index.count(COL, FilterNode.ALL));
        assertEquals(999, index.get(COL, "doc_1").orElseThrow().fields().path("n").asInt());
        assertEquals(16, index.get(COL, "doc_1").orElseThrow().vectors().get("emb").length);
    }

    @Test
    void listingSortsByNumbersAndStringsWithStablePages() {
        DocumentPage page = index.list(COL, FilterNode.ALL, List.of(new SortKey("metadata.price", true)), 0, 5);
        assertEquals(N, page.total());
        assertEquals(299, page.documents().getFirst().fields().path("n").asInt());
        DocumentPage next = index.list(COL, FilterNode.ALL, List.of(new SortKey("metadata.price", true)), 5, 5);
        assertEquals(294, next.documents().getFirst().fields().path("n").asInt());
        DocumentPage bySku = index.list(COL, FilterNode.ALL, List.of(new SortKey("metadata.sku", false)), 0, 2);
        assertEquals("SKU-0000", bySku.documents().getFirst().fields().path("metadata").path("sku").asText());
    }

    @Test
    void deleteAndDropRemoveDocuments() {
        assertTrue(index.delete(COL, "doc_7"));
        assertFalse(index.delete(COL, "doc_7"));
        assertEquals(N - 1, index.count(COL, FilterNode.ALL));
        index.drop(COL);
        assertEquals(0, index.count(COL, FilterNode.ALL));
    }

    private GroupPage group(String filterJson, String field, List<SortKey> sort, int offset, int limit, int perGroup) {
        return index.group(COL, new GroupRequest(FilterParser.parseStatic(Json.read(filterJson), "filters"), field, sort, offset, limit, perGroup, 1000));
    }

    private static List<String> keys(GroupPage page) {
        return page.groups().stream().map(g -> g.key().toString()).toList();
    }

    @Test
    void groupingCountsEveryValueAndReturnsEachGroupsFirstDocuments() {
        GroupPage brands = group("{}", "brand", List.of(new SortKey("n", true)), 0, 10, 3);
        assertEquals(List.of("\"Acme\"", "\"Globex\""), keys(brands));
        assertEquals(List.of(100L, 200L), brands.groups().stream().map(GroupPage.Group::count).toList());
        assertEquals(List.of(297, 294, 291), brands.groups().getFirst().documents().stream().map(d -> d.fields().path("n").asInt()).toList(),
                "the group's documents in the listing's order");
        assertEquals(2, brands.totalGroups());
        assertEquals(N, brands.totalDocuments());

        GroupPage tags = group("{}", "tags", List.of(), 0, 10, 1);
        assertEquals(List.of("\"all\"", "\"even\"", "\"odd\""), keys(tags), "an array puts its document in each value's group");
        assertEquals(List.of(300L, 150L, 150L), tags.groups().stream().map(GroupPage.Group::count).toList());

        GroupPage stock = group("{\"brand\": \"Acme\"}", "in_stock", List.of(), 0, 10, 1);
        assertEquals(List.of("false", "true"), keys(stock), "booleans stay booleans");
        assertTrue(stock.groups().getFirst().key().isBoolean());
        assertEquals(List.of(75L, 25L), stock.groups().stream().map(GroupPage.Group::count).toList(), "counted among the filtered documents");

        GroupPage nulls = group("{}", "discontinued", List.of(), 0, 10, 2);
        assertEquals(List.of("null"), keys(nulls));
        assertEquals(30, nulls.groups().getFirst().count());
        assertEquals(0, group("{}", "nope", List.of(), 0, 10, 1).totalGroups(), "documents without the field are in no group");
    }

    @Test
    void groupsArePagedInValueOrderFollowingASortOnTheGroupedField() {
        String firstFive = "{\"field\": \"n\", \"operator\": \"lt\", \"value\": 5}";
        assertEquals(List.of("0", "1", "2", "3", "4"), keys(group(firstFive, "n", List.of(), 0, 10, 1)), "numbers keep their integer form");
        GroupPage page = group(firstFive, "n", List.of(new SortKey("n", true)), 1, 2, 1);
        assertEquals(List.of("3", "2"), keys(page));
        assertEquals(5, page.totalGroups());
        assertEquals(0, group(firstFive, "n", List.of(), Integer.MAX_VALUE, 10, 1).groups().size());
        IllegalArgumentException tooMany = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> index.group(COL, new GroupRequest(FilterNode.ALL, "n", List.of(), 0, 10, 1, 100)));
        assertTrue(tooMany.getMessage().contains("more than 100 distinct values"), tooMany.getMessage());
    }

    @Test
    void deletedDocumentsLeaveTheirGroups() {
        assertTrue(index.delete(COL, "doc_0"));
        assertEquals(99, group("{}", "brand", List.of(), 0, 1, 1).groups().getFirst().count());
        assertEquals(29, group("{}", "discontinued", List.of(), 0, 1, 1).groups().getFirst().count());
    }

    @Test
    void updatedFieldsAreFilteredOnAndSurviveAReopenWithTheVectorsKept() {
        Optional<IndexedDocument> updated = index.updateFields(COL, "doc_3", f -> {
            f.put("brand", "Initech");
            ((ObjectNode) f.get("metadata")).put("reviewed", true);
            return f;
        });
        assertEquals("Initech", updated.orElseThrow().fields().path("brand").asText());
        assertEquals(1, count("{\"brand\": \"Initech\"}"));
        assertEquals(99, count("{\"brand\": \"Acme\"}"), "the old value is gone from the index");
        assertEquals(1, count("{\"metadata.reviewed\": true}"));
        index.close();
        index = new LuceneDocumentIndex(dir);
        IndexedDocument reread = index.get(COL, "doc_3").orElseThrow();
        assertEquals("Initech", reread.fields().path("brand").asText());
        assertEquals("SKU-0003", reread.fields().path("metadata").path("sku").asText(), "fields the change left alone stay");
        assertEquals(java.util.Arrays.toString(vectors.get(3)), java.util.Arrays.toString(reread.vectors().get("emb")));
        assertEquals("doc_3", index.nearest(COL, "emb", vectors.get(3), 1, FilterNode.ALL).getFirst().document().documentId());
        assertTrue(index.updateFields(COL, "doc_missing", f -> f).isEmpty());
    }

    @Test
    void aFailedChangeLeavesTheDocumentAsItWas() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> index.updateFields(COL, "doc_4", f -> {
            f.put("brand", "Initech");
            throw new IllegalStateException("refused");
        }));
        assertEquals(0, count("{\"brand\": \"Initech\"}"));
        assertEquals("Globex", index.get(COL, "doc_4").orElseThrow().fields().path("brand").asText());
    }

    @Test
    void aDeleteDuringAnUpdateIsNotUndoneByIt() throws Exception {
        Thread[] deleter = new Thread[1];
        index.updateFields(COL, "doc_5", f -> {
            // The delete arrives after the update has read the document, before it writes it back.
            deleter[0] = Thread.ofPlatform().start(() -> index.delete(COL, "doc_5"));
            try {
                deleter[0].join(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return f.put("brand", "Initech");
        });
        deleter[0].join();
        assertTrue(index.get(COL, "doc_5").isEmpty(), "the deleted document stays deleted");
    }

    @Test
    void aWriteAfterADropDoesNotBringTheCollectionBackEvenAfterAReopen() {
        index.drop(COL);
        IndexedDocument late = new IndexedDocument("doc_late", COL, Json.object().put("brand", "Acme"), Map.of("emb", vectors.get(0)));
        org.junit.jupiter.api.Assertions.assertThrows(DroppedCollectionException.class, () -> index.upsert(COL, List.of(late)));
        assertFalse(java.nio.file.Files.exists(dir.resolve(COL)), "no index directory is made again");
        assertEquals(0, index.count(COL, FilterNode.ALL));
        index.close();
        index = new LuceneDocumentIndex(dir);
        org.junit.jupiter.api.Assertions.assertThrows(DroppedCollectionException.class, () -> index.upsert(COL, List.of(late)));
        assertTrue(index.get(COL, "doc_late").isEmpty());
    }
}
