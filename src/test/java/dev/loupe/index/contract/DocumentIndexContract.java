package dev.loupe.index.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.DocumentPage;
import dev.loupe.index.DroppedCollectionException;
import dev.loupe.index.GroupPage;
import dev.loupe.index.GroupRequest;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SortKey;
import dev.loupe.inference.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * What every {@link DocumentIndex} does, whatever engine holds the documents: filters with
 * every operator, sorting, paging, grouping, field updates, deletes, drops, nearest-neighbour
 * and BM25 search. A subclass per engine says how to open one; the tests write only to
 * collections whose ids are unique to the test, so a shared remote engine can run them.
 *
 * <p>The fixture: {@value #N} documents of collection {@link #collection} with one
 * {@value #DIMENSION}-d vector {@code emb} each (one dimension per vector field, as an engine
 * that declares its fields ahead of time needs), and fields chosen so that each filter
 * operator selects a known count.
 */
public abstract class DocumentIndexContract {
    protected static final int N = 300;
    protected static final int DIMENSION = 8;

    /** Where an embedded engine keeps its files; the same for every {@link #reopen} within a test. */
    @TempDir
    protected Path dir;
    protected DocumentIndex index;
    /** Unique to the test, so that tests never meet in a shared engine. */
    protected final String collection = CollectionIds.unique("col_contract");
    /** The vector of document {@code doc_i}, at {@code i}. */
    protected final List<float[]> vectors = new ArrayList<>();

    /** An index keeping its files (if any) under {@code dir}; opening it again on the same dir sees what was written. */
    protected abstract DocumentIndex openIndex(Path dir);

    @BeforeEach
    void fill() {
        index = openIndex(dir);
        Random rnd = new Random(42);
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            float[] v = new float[DIMENSION];
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
            docs.add(new IndexedDocument("doc_" + i, collection, f, Map.of("emb", v)));
        }
        index.upsert(collection, docs);
    }

    @AfterEach
    void closeIndex() {
        index.close();
    }

    /** Closes the index and opens it again on the same dir: what was durable is still there. */
    protected void reopen() {
        index.close();
        index = openIndex(dir);
    }

    protected static FilterNode filter(String json) {
        return FilterParser.parseStatic(Json.read(json), "filters");
    }

    private long count(String filterJson) {
        return index.count(collection, filter(filterJson));
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
        List<IndexedDocument> all = index.list(collection, FilterNode.ALL, List.of(), 0, N).documents();
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
            FilterNode node = filter(f);
            long inMemory = all.stream().filter(d -> FilterMatcher.matches(node, d.fields())).count();
            assertEquals(index.count(collection, node), inMemory, f);
        }
    }

    @Test
    void aRegexReadsAsLuceneReadsItInTheIndexAndInMemory() {
        List<IndexedDocument> all = index.list(collection, FilterNode.ALL, List.of(), 0, N).documents();
        Map<String, Integer> expected = Map.of(
                "SKU-00<10-19>", 10,                    // a numeric interval
                "Product number 1@", 111,               // @ is any string: 1, 10–19, 100–199
                "SKU-0[01][0-9][0-9]&.*5", 20,          // & intersects: under 200 and ending in 5
                ".*leather", 43,
                "\\w+ number \\d\\d canvas", 77);     // predefined classes; 10–99 without multiples of 7
        expected.forEach((pattern, count) -> {
            String json = "{\"field\": \"" + (pattern.startsWith("SKU") ? "metadata.sku" : "title") + "\", \"operator\": \"regex\", \"value\": \""
                    + pattern.replace("\\", "\\\\") + "\"}";
            FilterNode node = filter(json);
            long want = count;
            assertEquals(want, index.count(collection, node), "index: " + pattern);
            assertEquals(want, all.stream().filter(d -> FilterMatcher.matches(node, d.fields())).count(), "in memory: " + pattern);
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
        List<ScoredDocument> hits = index.nearest(collection, "emb", q, 10, filter("{\"field\": \"n\", \"operator\": \"lt\", \"value\": 3}"));
        assertEquals(3, hits.size(), "only three documents match");
        List<ScoredDocument> acmeHits = index.nearest(collection, "emb", q, 10, filter("{\"brand\": \"Acme\"}"));
        assertEquals(10, acmeHits.size());
        acmeHits.forEach(h -> assertEquals("Acme", h.document().fields().path("brand").asText()));
        // the exact answer for comparison
        List<Integer> exact = new ArrayList<>();
        for (int i = 0; i < N; i += 3) exact.add(i);
        exact.sort((a, b) -> Float.compare(Vectors.dot(q, vectors.get(b)), Vectors.dot(q, vectors.get(a))));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 10; i++) expected.add("doc_" + exact.get(i));
        Set<String> got = new HashSet<>();
        acmeHits.forEach(h -> got.add(h.document().documentId()));
        assertEquals(expected, got);
        assertEquals(Vectors.dot(q, vectors.get(exact.getFirst())), acmeHits.getFirst().score(), 1e-4, "score is the cosine");
        for (int i = 1; i < acmeHits.size(); i++) {
            assertTrue(acmeHits.get(i - 1).score() >= acmeHits.get(i).score(), "hits come best first");
        }
    }

    @Test
    void upsertIsIdempotentByDocumentId() {
        ObjectNode f = Json.object().put("n", 999);
        index.upsert(collection, List.of(new IndexedDocument("doc_1", collection, f, Map.of("emb", vectors.get(1)))));
        index.upsert(collection, List.of(new IndexedDocument("doc_1", collection, f, Map.of("emb", vectors.get(1)))));
        assertEquals(N, index.count(collection, FilterNode.ALL));
        assertEquals(999, index.get(collection, "doc_1").orElseThrow().fields().path("n").asInt());
        assertEquals(DIMENSION, index.get(collection, "doc_1").orElseThrow().vectors().get("emb").length);
        assertEquals(0, count("{\"n\": 1}"), "the old fields are gone from the index");
    }

    @Test
    void upsertIsDurableWhenItReturns() {
        reopen();
        assertEquals(N, index.count(collection, FilterNode.ALL));
        IndexedDocument d = index.get(collection, "doc_42").orElseThrow();
        assertEquals("SKU-0042", d.fields().path("metadata").path("sku").asText());
        assertEquals(Arrays.toString(vectors.get(42)), Arrays.toString(d.vectors().get("emb")), "the vector comes back as written");
    }

    @Test
    void listingSortsByNumbersAndStringsWithStablePages() {
        DocumentPage page = index.list(collection, FilterNode.ALL, List.of(new SortKey("metadata.price", true)), 0, 5);
        assertEquals(N, page.total());
        assertEquals(299, page.documents().getFirst().fields().path("n").asInt());
        DocumentPage next = index.list(collection, FilterNode.ALL, List.of(new SortKey("metadata.price", true)), 5, 5);
        assertEquals(294, next.documents().getFirst().fields().path("n").asInt());
        DocumentPage bySku = index.list(collection, FilterNode.ALL, List.of(new SortKey("metadata.sku", false)), 0, 2);
        assertEquals("SKU-0000", bySku.documents().getFirst().fields().path("metadata").path("sku").asText());
        DocumentPage filtered = index.list(collection, filter("{\"brand\": \"Acme\"}"), List.of(new SortKey("n", false)), 2, 3);
        assertEquals(100, filtered.total(), "the total counts every match, not the page");
        assertEquals(List.of(6, 9, 12), filtered.documents().stream().map(d -> d.fields().path("n").asInt()).toList());
        assertEquals(0, index.list(collection, FilterNode.ALL, List.of(), N, 10).documents().size(), "a page past the end is empty");
    }

    @Test
    void missingValuesSortLastEitherWay() {
        // Only two documents have "metadata.colour"; the other 298 miss it.
        index.updateFields(collection, "doc_8", f -> {
            ((ObjectNode) f.get("metadata")).put("colour", "blue");
            return f;
        });
        index.updateFields(collection, "doc_9", f -> {
            ((ObjectNode) f.get("metadata")).put("colour", "red");
            return f;
        });
        List<String> ascending = index.list(collection, FilterNode.ALL, List.of(new SortKey("metadata.colour", false)), 0, 3).documents()
                .stream().map(IndexedDocument::documentId).toList();
        assertEquals(List.of("doc_8", "doc_9"), ascending.subList(0, 2));
        List<String> descending = index.list(collection, FilterNode.ALL, List.of(new SortKey("metadata.colour", true)), 0, 3).documents()
                .stream().map(IndexedDocument::documentId).toList();
        assertEquals(List.of("doc_9", "doc_8"), descending.subList(0, 2));
    }

    @Test
    void deleteAndDropRemoveDocuments() {
        assertTrue(index.delete(collection, "doc_7"));
        assertFalse(index.delete(collection, "doc_7"));
        assertTrue(index.get(collection, "doc_7").isEmpty());
        assertEquals(N - 1, index.count(collection, FilterNode.ALL));
        index.drop(collection);
        assertEquals(0, index.count(collection, FilterNode.ALL));
    }

    @Test
    void aWriteAfterADropIsRefusedEvenAfterAReopen() {
        index.drop(collection);
        IndexedDocument late = new IndexedDocument("doc_late", collection, Json.object().put("brand", "Acme"), Map.of("emb", vectors.get(0)));
        assertThrows(DroppedCollectionException.class, () -> index.upsert(collection, List.of(late)));
        assertEquals(0, index.count(collection, FilterNode.ALL));
        reopen();
        assertThrows(DroppedCollectionException.class, () -> index.upsert(collection, List.of(late)));
        assertTrue(index.get(collection, "doc_late").isEmpty());
    }

    private GroupPage group(String filterJson, String field, List<SortKey> sort, int offset, int limit, int perGroup) {
        return index.group(collection, new GroupRequest(filter(filterJson), field, sort, offset, limit, perGroup, 1000));
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
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> index.group(collection, new GroupRequest(FilterNode.ALL, "n", List.of(), 0, 10, 1, 100)));
        assertTrue(tooMany.getMessage().contains("more than 100 distinct values"), tooMany.getMessage());
    }

    @Test
    void textGroupsComeInCodePointOrderAsTheIndexSortsTerms() {
        // U+FF41 sorts before U+1F600 by code point (the index's UTF-8 order), after it by
        // String.compareTo (UTF-16 units: 0xFF41 > 0xD83D).
        String fullwidth = "\uFF41", emoji = "\uD83D\uDE00";
        ObjectNode a = Json.object().put("glyph", emoji);
        ObjectNode b = Json.object().put("glyph", fullwidth);
        index.upsert(collection, List.of(new IndexedDocument("glyph_a", collection, a, Map.of("emb", vectors.get(0))),
                new IndexedDocument("glyph_b", collection, b, Map.of("emb", vectors.get(1)))));
        List<String> order = group("{}", "glyph", List.of(), 0, 10, 1).groups().stream().map(g -> g.key().asText()).toList();
        assertEquals(List.of(fullwidth, emoji), order);
    }

    @Test
    void deletedDocumentsLeaveTheirGroups() {
        assertTrue(index.delete(collection, "doc_0"));
        assertEquals(99, group("{}", "brand", List.of(), 0, 1, 1).groups().getFirst().count());
        assertEquals(29, group("{}", "discontinued", List.of(), 0, 1, 1).groups().getFirst().count());
    }

    @Test
    void updatedFieldsAreFilteredOnAndSurviveAReopenWithTheVectorsKept() {
        Optional<IndexedDocument> updated = index.updateFields(collection, "doc_3", f -> {
            f.put("brand", "Initech");
            ((ObjectNode) f.get("metadata")).put("reviewed", true);
            return f;
        });
        assertEquals("Initech", updated.orElseThrow().fields().path("brand").asText());
        assertEquals(1, count("{\"brand\": \"Initech\"}"));
        assertEquals(99, count("{\"brand\": \"Acme\"}"), "the old value is gone from the index");
        assertEquals(1, count("{\"metadata.reviewed\": true}"));
        reopen();
        IndexedDocument reread = index.get(collection, "doc_3").orElseThrow();
        assertEquals("Initech", reread.fields().path("brand").asText());
        assertEquals("SKU-0003", reread.fields().path("metadata").path("sku").asText(), "fields the change left alone stay");
        assertEquals(Arrays.toString(vectors.get(3)), Arrays.toString(reread.vectors().get("emb")));
        assertEquals("doc_3", index.nearest(collection, "emb", vectors.get(3), 1, FilterNode.ALL).getFirst().document().documentId());
        assertTrue(index.updateFields(collection, "doc_missing", f -> f).isEmpty());
    }

    @Test
    void aFailedChangeLeavesTheDocumentAsItWas() {
        assertThrows(IllegalStateException.class, () -> index.updateFields(collection, "doc_4", f -> {
            f.put("brand", "Initech");
            throw new IllegalStateException("refused");
        }));
        assertEquals(0, count("{\"brand\": \"Initech\"}"));
        assertEquals("Globex", index.get(collection, "doc_4").orElseThrow().fields().path("brand").asText());
    }

    @Test
    void aDeleteDuringAnUpdateIsNotUndoneByIt() throws Exception {
        Thread[] deleter = new Thread[1];
        index.updateFields(collection, "doc_5", f -> {
            // The delete arrives after the update has read the document, before it writes it back:
            // it waits for the update, or (where it does not) is given time to go first.
            deleter[0] = Thread.ofPlatform().start(() -> index.delete(collection, "doc_5"));
            try {
                deleter[0].join(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return f.put("brand", "Initech");
        });
        deleter[0].join();
        assertTrue(index.get(collection, "doc_5").isEmpty(), "the deleted document stays deleted");
    }

    private static FilterNode rootObject(String objectId) {
        return new FilterNode.Condition("root_object_id", FilterNode.Operator.EQ, TextNode.valueOf(objectId));
    }

    @Test
    void deleteMatchingRemovesOnlyTheMatchingDocumentsAndTheRemovalSurvivesReopening() {
        String col = CollectionIds.unique("col_objects");
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ObjectNode f = Json.object().put("root_object_id", "obj_" + (i % 3));
            docs.add(new IndexedDocument("doc_" + i, col, f, Map.of("emb", vectors.get(i))));
        }
        index.upsert(col, docs);
        assertEquals(3, index.deleteMatching(col, rootObject("obj_1")));
        assertEquals(0, index.count(col, rootObject("obj_1")));
        assertEquals(6, index.count(col, FilterNode.ALL));
        assertTrue(index.get(col, "doc_1").isEmpty());
        assertEquals(0, index.nearest(col, "emb", vectors.get(1), 10, rootObject("obj_1")).size(), "gone from search too");
        assertEquals(0, index.deleteMatching(col, rootObject("obj_1")), "removing again finds nothing");
        reopen();
        assertEquals(0, index.count(col, rootObject("obj_1")));
        assertEquals(6, index.count(col, FilterNode.ALL));
    }

    @Test
    void deleteMatchingInACollectionWithoutAnIndexFindsNothing() {
        assertEquals(0, index.deleteMatching(CollectionIds.unique("col_never_written"), rootObject("obj_1")));
    }

    private List<String> lexicalIds(List<String> fields, String text, boolean matchAll, int k, FilterNode filter) {
        return index.lexical(collection, fields, text, matchAll, k, filter).stream().map(h -> h.document().documentId()).toList();
    }

    @Test
    void lexicalSearchMatchesWordsOfTheTextFieldsAndHonoursTheFilter() {
        List<String> leather = lexicalIds(List.of("title"), "LEATHER", false, 100, FilterNode.ALL);
        assertEquals(43, leather.size(), "the word is matched whatever its case");
        assertEquals(Set.of(), Set.copyOf(lexicalIds(List.of("title"), "leather canvas", true, 100, FilterNode.ALL)),
                "with matchAll, no title has both words");
        assertEquals(10, lexicalIds(List.of("title"), "leather canvas", false, 10, FilterNode.ALL).size(), "any word will do: k hits");
        List<String> acmeLeather = lexicalIds(List.of("title"), "leather", false, 100, filter("{\"brand\": \"Acme\"}"));
        assertEquals(15, acmeLeather.size(), "multiples of 21 among 0..299");
        acmeLeather.forEach(id -> assertEquals(0, Integer.parseInt(id.substring(4)) % 21, id));
        assertEquals(100, lexicalIds(List.of(), "acme", false, N, FilterNode.ALL).size(), "no fields means every text field: brand too");
        assertEquals(0, lexicalIds(List.of("title"), "acme", false, N, FilterNode.ALL).size(), "only the fields named");
        assertEquals(1, lexicalIds(List.of("title", "brand"), "acme 42", true, N, FilterNode.ALL).size(),
                "with matchAll, each word may occur in a different field");
    }

    @Test
    void lexicalScoresRankMoreOccurrencesHigherBestFirst() {
        String col = CollectionIds.unique("col_words");
        index.upsert(col, List.of(
                new IndexedDocument("once", col, Json.object().put("text", "red blue shoe"), Map.of("emb", vectors.get(0))),
                new IndexedDocument("twice", col, Json.object().put("text", "red red shoe"), Map.of("emb", vectors.get(1))),
                new IndexedDocument("none", col, Json.object().put("text", "green blue shoe"), Map.of("emb", vectors.get(2)))));
        List<ScoredDocument> hits = index.lexical(col, List.of("text"), "red", false, 10, FilterNode.ALL);
        assertEquals(List.of("twice", "once"), hits.stream().map(h -> h.document().documentId()).toList());
        assertTrue(hits.get(0).score() > hits.get(1).score(), hits.toString());
        assertEquals("red red shoe", hits.getFirst().document().fields().path("text").asText(), "hits carry their fields");
    }
}
