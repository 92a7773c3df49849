package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.Products;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code documents/list} with {@code group_by} and {@code select}, and PATCH and PUT of a
 * document, over eight products: Acme's cost 10, 30, 50, 70 and Globex's 20, 40, 60, 80.
 * Collection {@code c} is only read; the updates go to {@code m}, each test to its own documents.
 */
class DocumentRoutesTest {
    private static final List<String> COLOURS = List.of("red", "orange", "yellow", "green", "blue", "purple", "black", "white");
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void products() {
        server = new TestServer(data);
        api = server.admin(null);
        Products products = Products.bucket(api, "p");
        for (int i = 0; i < COLOURS.size(); i++) {
            products.add(COLOURS.get(i), i, """
                    {"colour": "%s", "price": %d, "brand": "%s"}""".formatted(COLOURS.get(i), 10 * (i + 1), i % 2 == 0 ? "Acme" : "Globex"));
        }
        products.collection("c").collection("m");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode list(String collection, String query, String body) {
        return api.ok("POST", "/v1/collections/" + collection + "/documents/list" + query, body);
    }

    private static List<String> metadata(JsonNode documents, String name) {
        List<String> out = new ArrayList<>();
        documents.forEach(d -> out.add(d.path("metadata").path(name).asText()));
        return out;
    }

    /** The one document of collection {@code m} with this colour. */
    private static JsonNode product(String colour) {
        JsonNode found = list("m", "", "{\"filters\": {\"metadata.colour\": \"" + colour + "\"}}").path("results");
        assertEquals(1, found.size(), colour);
        return found.get(0);
    }

    private static String path(JsonNode doc) {
        return "/v1/collections/m/documents/" + doc.path("document_id").asText();
    }

    @Test
    void groupByAnswersGroupsWithTheirCountsAndDocuments() {
        JsonNode r = list("c", "", "{\"group_by\": \"metadata.brand\", \"sort\": {\"field\": \"metadata.price\", \"direction\": \"desc\"}}");
        OpenApi.assertConforms("ListDocumentsResponse", r);
        assertFalse(r.has("results"), "groups instead of results");
        assertEquals("metadata.brand", r.path("group_by_field").asText());
        JsonNode groups = r.path("groups");
        assertEquals(2, groups.size(), r.toString());
        assertEquals("Acme", groups.get(0).path("group_key").asText());
        assertEquals(4, groups.get(0).path("count").asInt());
        assertEquals(List.of("black", "blue", "yellow", "red"), metadata(groups.get(0).path("documents"), "colour"), "by price, dearest first");
        assertEquals("Globex", groups.get(1).path("group_key").asText());
        assertEquals(2, r.path("pagination").path("total").asInt(), "the pagination counts groups");
        assertEquals(8, r.path("stats").path("total_documents").asInt());
        assertEquals(2, r.path("stats").path("total_groups").asInt());

        JsonNode filtered = list("c", "", "{\"group_by\": \"metadata.brand\", \"filters\": {\"field\": \"metadata.price\", \"operator\": \"gt\", \"value\": 30}}");
        assertEquals(List.of(2, 3), List.of(filtered.path("groups").get(0).path("count").asInt(), filtered.path("groups").get(1).path("count").asInt()));
    }

    @Test
    void groupsArePagedOneGroupAtATime() {
        JsonNode first = list("c", "?limit=1", "{\"group_by\": \"metadata.brand\"}");
        assertEquals(List.of("Acme"), List.of(first.path("groups").get(0).path("group_key").asText()));
        assertEquals(1, first.path("groups").size());
        String cursor = first.path("pagination").path("next_cursor").asText();
        JsonNode second = list("c", "?limit=1&cursor=" + cursor, "{\"group_by\": \"metadata.brand\"}");
        assertEquals("Globex", second.path("groups").get(0).path("group_key").asText());
        assertTrue(second.path("pagination").path("next_cursor").isNull());
        JsonNode byPrice = list("c", "?limit=3", "{\"group_by\": \"metadata.price\"}");
        assertEquals(8, byPrice.path("pagination").path("total").asInt());
        assertEquals(10, byPrice.path("groups").get(0).path("group_key").asInt(), "numbers group as numbers, in order");
        assertTrue(byPrice.path("groups").get(0).path("group_key").isIntegralNumber());
    }

    @Test
    void aBadGroupByOrSelectIsNamed() {
        Api.Response number = api.post("/v1/collections/c/documents/list", "{\"group_by\": 5}");
        assertEquals(422, number.status(), number.raw());
        assertEquals("group_by", number.body().path("error").path("details").path("field").asText());
        Api.Response blank = api.post("/v1/collections/c/documents/list", "{\"select\": [\"metadata\", \" \"]}");
        assertEquals(422, blank.status(), blank.raw());
        assertEquals("select[1]", blank.body().path("error").path("details").path("field").asText());
        Api.Response notAList = api.post("/v1/collections/c/documents/list", "{\"select\": \"metadata\"}");
        assertEquals(422, notAList.status(), notAList.raw());
        assertEquals("select", notAList.body().path("error").path("details").path("field").asText(), notAList.raw());
    }

    @Test
    void selectKeepsTheIdsAndReachesIntoObjects() {
        JsonNode doc = list("c", "?limit=1", "{\"select\": [\"metadata.brand\", \"source_type\", \"metadata.nope.deeper\", \"source_type.x\"]}")
                .path("results").get(0);
        Set<String> fields = new HashSet<>();
        doc.fieldNames().forEachRemaining(fields::add);
        assertEquals(Set.of("document_id", "collection_id", "metadata", "source_type"), fields, doc.toString());
        assertTrue(doc.path("collection_id").asText().startsWith("col_"));
        assertEquals(1, doc.path("metadata").size(), "only the brand of the metadata: " + doc);
        assertFalse(doc.path("metadata").path("brand").asText().isEmpty());
        JsonNode grouped = list("c", "", "{\"group_by\": \"metadata.brand\", \"select\": [\"metadata.price\"]}").path("groups").get(0).path("documents").get(0);
        assertEquals(Set.of("price"), fieldNames(grouped.path("metadata")), "select applies inside groups too");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> out = new HashSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void patchMergesFieldsThatFiltersAndSearchesThenSee() {
        JsonNode red = product("red");
        JsonNode patched = api.ok("PATCH", path(red), "{\"metadata\": {\"brand\": \"Initech\", \"reviewed\": true}, \"rating\": 5}");
        OpenApi.assertConforms("DocumentResponse", patched);
        assertEquals("Initech", patched.path("metadata").path("brand").asText());
        assertEquals("red", patched.path("metadata").path("colour").asText(), "the metadata is merged, not replaced");
        assertEquals(red.path("root_object_id").asText(), patched.path("root_object_id").asText());
        api.ok("PATCH", path(red), "{\"metadata.status\": \"approved\"}");
        JsonNode stored = api.ok("GET", path(red), null);
        assertEquals(List.of("Initech", "red", "approved", "10"), List.of(stored.path("metadata").path("brand").asText(),
                stored.path("metadata").path("colour").asText(), stored.path("metadata").path("status").asText(),
                stored.path("metadata").path("price").asText()), "a dot path sets one field");
        assertEquals(768, stored.path("image_extractor_v1_embedding").size(), "the vector is kept");

        assertEquals(List.of("red"), metadata(list("m", "", "{\"filters\": {\"metadata.brand\": \"Initech\"}}").path("results"), "colour"));
        assertEquals(0, list("m", "", "{\"filters\": {\"AND\": [{\"metadata.brand\": \"Acme\"}, {\"metadata.colour\": \"red\"}]}}")
                .path("results").size(), "the old value is gone");
        JsonNode found = api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["m"], "inputs": {}, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8},
                  "pre_filters": {"metadata.brand": "Initech"}}},
                 {"stage_name": "rated", "config": {"stage_id": "attribute_filter", "parameters": {"field": "rating", "operator": "gte", "value": 5}}}]}""");
        assertEquals(List.of("red"), metadata(found.path("documents"), "colour"));
    }

    @Test
    void nullInAPatchRemovesTheFieldAsInEveryOtherPatchWhileAPutStoresIt() {
        JsonNode green = product("green");
        JsonNode patched = api.ok("PATCH", path(green), "{\"metadata\": {\"brand\": null}, \"label\": \"x\"}");
        assertFalse(patched.path("metadata").has("brand"), patched.toString());
        assertEquals("green", patched.path("metadata").path("colour").asText());
        patched = api.ok("PATCH", path(green), "{\"label\": null, \"metadata.price\": null}");
        assertFalse(patched.has("label"), patched.toString());
        assertFalse(patched.path("metadata").has("price"), patched.toString());
        JsonNode put = api.ok("PUT", path(green), "{\"metadata\": {\"colour\": \"green\", \"brand\": null}}");
        assertTrue(put.path("metadata").has("brand") && put.path("metadata").path("brand").isNull(), put.toString());
        assertEquals(List.of("green"), metadata(list("m", "", "{\"filters\": {\"AND\": [{\"metadata.colour\": \"green\"},"
                + " {\"field\": \"metadata.brand\", \"operator\": \"exists\", \"value\": true}]}}").path("results"), "colour"),
                "the null PUT stored is a field filters see");
    }

    @Test
    void whatLoupeSetsAndTheVectorsCannotBeChanged() {
        JsonNode orange = product("orange");
        for (String body : List.of("{\"document_id\": \"doc_other\"}", "{\"collection_id\": \"col_other\"}", "{\"root_object_id\": \"obj_other\"}",
                "{\"source_object_id\": \"obj_other\", \"metadata\": {\"brand\": \"Initech\"}}", "{\"image_extractor_v1_embedding\": [0.5, 0.5]}")) {
            Api.Response refused = api.send("PATCH", path(orange), body);
            assertEquals(422, refused.status(), body + " → " + refused.raw());
            String field = Api.parse(body).fieldNames().next();
            assertEquals(field, refused.body().path("error").path("details").path("field").asText());
            assertTrue(refused.body().path("error").path("message").asText().contains("cannot be changed"), refused.raw());
        }
        assertTrue(api.send("PATCH", path(orange), "{\"image_extractor_v1_embedding\": [0.5]}").raw().contains("vector"));
        assertEquals("Globex", api.ok("GET", path(orange), null).path("metadata").path("brand").asText(), "a refused update changes nothing");

        Api.Response inString = api.send("PATCH", path(orange), "{\"metadata.colour.shade\": \"dark\"}");
        assertEquals(422, inString.status());
        assertTrue(inString.raw().contains("metadata.colour"), inString.raw());
        assertEquals(422, api.send("PATCH", path(orange), "[1]").status());
        assertEquals(400, api.send("PUT", path(orange), "{\"metadata\": ").status(), "malformed JSON");
        assertEquals(422, api.send("PATCH", path(orange), "{\"metadata..brand\": 1}").status());
        assertEquals(404, api.send("PATCH", "/v1/collections/m/documents/doc_nope", "{\"a\": 1}").status());
    }

    @Test
    void putReplacesTheDocumentsOwnFieldsAndTakesItsGetAnswerBack() {
        JsonNode yellow = api.ok("GET", path(product("yellow")), null);
        JsonNode echoed = api.ok("PUT", path(yellow), yellow.toString());
        assertEquals(yellow.path("metadata"), echoed.path("metadata"), "the document as GET answered it, sent back, changes nothing");
        JsonNode replaced = api.ok("PUT", path(yellow), "{\"metadata\": {\"colour\": \"yellow\"}, \"label\": \"sale\"}");
        assertEquals(Set.of("colour"), fieldNames(replaced.path("metadata")), "what the body leaves out is removed");
        assertEquals("sale", replaced.path("label").asText());
        assertEquals(yellow.path("root_object_id"), replaced.path("root_object_id"), "the lineage stays");
        assertEquals(yellow.path("thumbnail_url"), replaced.path("thumbnail_url"));
        assertEquals(0, list("m", "", "{\"filters\": {\"AND\": [{\"metadata.colour\": \"yellow\"}, {\"field\": \"metadata.brand\", \"operator\": \"exists\", \"value\": true}]}}")
                .path("results").size());
        assertEquals(List.of("yellow"), metadata(list("m", "", "{\"filters\": {\"label\": \"sale\"}}").path("results"), "colour"));
    }

    @Test
    void aListingRefusesWhatItDoesNotDoAndPagesByABodyCursor() {
        Api.Response search = api.post("/v1/collections/c/documents/list", "{\"search\": \"red\"}");
        assertEquals(422, search.status(), search.raw());
        assertTrue(search.raw().contains("text"), "says what to use instead: " + search.raw());
        Api.Response unknown = api.post("/v1/collections/c/documents/list", "{\"facets\": [\"metadata.brand\"]}");
        assertEquals(422, unknown.status(), unknown.raw());
        JsonNode first = list("c", "?limit=3", "{\"sort\": {\"field\": \"metadata.price\"}}");
        String cursor = first.path("pagination").path("next_cursor").asText();
        JsonNode second = list("c", "?limit=3", "{\"sort\": {\"field\": \"metadata.price\"}, \"cursor\": \"" + cursor + "\"}");
        assertEquals(List.of("40", "50", "60"), metadata(second.path("results"), "price"));
    }
}
