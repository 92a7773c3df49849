package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Products;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each stage after feature_search, run through the ad hoc execute endpoint on eight products. */
class RetrieverStagesTest {
    private static final List<String> COLOURS = List.of("red", "orange", "yellow", "green", "blue", "purple", "black", "white");
    /** What lexical search sees: only "leather" and "waterproof" are rare words. */
    private static final List<String> DESCRIPTIONS = List.of("A red leather handbag", "An orange canvas tote", "A yellow canvas tote",
            "A green canvas tote, waterproof", "A blue canvas tote", "A purple leather wallet", "A black canvas tote", "A white canvas tote");
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
                    {"colour": "%s", "price": %d, "brand": "%s", "description": "%s"}""".formatted(COLOURS.get(i), 10 * (i + 1),
                    i % 2 == 0 ? "Acme" : "Globex", DESCRIPTIONS.get(i)));
        }
        products.collection("c");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Runs feature_search for "red" over all eight, then the given stages. */
    private static JsonNode run(String inputs, String... stages) {
        StringBuilder body = new StringBuilder("""
                {"collection_identifiers": ["c"], "inputs": %s, "limit": 100, "return_vectors": false, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8}}}""".formatted(inputs));
        for (int i = 0; i < stages.length; i++) {
            body.append(", {\"stage_name\": \"s").append(i).append("\", \"config\": ").append(stages[i]).append("}");
        }
        return api.ok("POST", "/v1/retrievers/execute", body.append("]}").toString());
    }

    private static List<String> field(JsonNode result, String name) {
        List<String> out = new ArrayList<>();
        result.path("documents").forEach(d -> out.add(d.path("metadata").path(name).asText()));
        return out;
    }

    @Test
    void attributeFilterKeepsMatchesAndTakesDynamicValues() {
        JsonNode r = run("{\"b\": \"Acme\"}", "{\"stage_id\": \"attribute_filter\", \"parameters\": {\"field\": \"metadata.brand\", \"operator\": \"eq\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.b\"}}}");
        assertEquals(List.of("Acme", "Acme", "Acme", "Acme"), field(r, "brand"));
        JsonNode stats = r.path("stage_statistics").path("stages").path("s0");
        assertEquals(8, stats.path("input_count").asInt());
        assertEquals(4, stats.path("output_count").asInt());
        JsonNode nested = run("{}", "{\"stage_id\": \"attribute_filter\", \"parameters\": {\"filters\": {\"AND\": [{\"field\": \"metadata.price\", \"operator\": \"gt\", \"value\": 30}, {\"NOT\": [{\"metadata.brand\": \"Acme\"}]}]}}}");
        assertEquals(Set.of("green", "purple", "white"), new HashSet<>(field(nested, "colour")));
    }

    @Test
    void attributeFilterRendersTemplatesInItsValues() {
        JsonNode r = run("{\"brand\": \"Acme\", \"min_price\": 25}", """
                {"stage_id": "attribute_filter", "parameters": {"filters": {"AND": [
                  {"field": "metadata.brand", "operator": "eq", "value": "{{INPUT.brand}}"},
                  {"field": "metadata.price", "operator": "gt", "value": "{{inputs.min_price}}"}]}}}""");
        assertEquals(Set.of("yellow", "blue", "black"), new HashSet<>(field(r, "colour")), "Acme's, dearer than 25");
        JsonNode defaults = run("{}", """
                {"stage_id": "attribute_filter", "parameters": {"filters": {"OR": [
                  {"field": "metadata.brand", "operator": "eq", "value": "{{INPUT.brand | default('Globex')}}"},
                  {"NOT": [{"field": "metadata.price", "operator": "gte", "value": "{{INPUT.max | 20}}"}]}]}}}""");
        assertEquals(Set.of("red", "orange", "green", "purple", "white"), new HashSet<>(field(defaults, "colour")), "Globex's, or cheaper than 20");
        JsonNode listed = run("{\"colours\": [\"green\", \"blue\"], \"also\": \"red\"}", """
                {"stage_id": "attribute_filter", "parameters": {"OR": [
                  {"field": "metadata.colour", "operator": "in", "value": "{{INPUT.colours}}"},
                  {"field": "metadata.colour", "operator": "in", "value": ["{{INPUT.also}}"]}]}}""");
        assertEquals(Set.of("red", "green", "blue"), new HashSet<>(field(listed, "colour")));
    }

    @Test
    void preFiltersRenderTemplatesAndNameAMissingInput() {
        String request = """
                {"collection_identifiers": ["c"], "inputs": %s, "limit": 100, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8},
                  "pre_filters": {"AND": [{"metadata.brand": "{{INPUT.brand}}"},
                                          {"field": "metadata.price", "operator": "lte", "value": "{{inputs.max_price}}"}]}}}]}""";
        JsonNode r = api.ok("POST", "/v1/retrievers/execute", request.formatted("{\"brand\": \"Globex\", \"max_price\": 60}"));
        assertEquals(Set.of("orange", "green", "purple"), new HashSet<>(field(r, "colour")), "Globex's at 60 or less");
        Api.Response missing = api.post("/v1/retrievers/execute", request.formatted("{\"brand\": \"Globex\"}"));
        assertEquals(422, missing.status(), missing.raw());
        assertEquals("inputs.max_price", missing.body().path("error").path("details").path("field").asText(), missing.raw());
        String message = missing.body().path("error").path("message").asText();
        assertTrue(message.contains("stage 'search'") && message.contains("pre_filters.AND[1].value"), message);
    }

    @Test
    void aSavedRetrieverTakesAnInListFromItsInputs() {
        api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "by-colours", "collection_identifiers": ["c"], "input_schema": {"colours": {"type": "array"}},
                 "stages": [{"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8},
                   "pre_filters": {"field": "metadata.colour", "operator": "in", "value": "{{INPUT.colours}}"}}}]}""");
        JsonNode r = api.ok("POST", "/v1/retrievers/by-colours/execute", "{\"inputs\": {\"colours\": [\"blue\", \"white\"]}}");
        assertEquals(Set.of("blue", "white"), new HashSet<>(field(r, "colour")));
    }

    @Test
    void sortAttributeAndSortRelevanceOrder() {
        List<String> prices = field(run("{}", "{\"stage_id\": \"sort_attribute\", \"parameters\": {\"field\": \"metadata.price\", \"direction\": \"desc\"}}"), "price");
        assertEquals(List.of("80", "70", "60", "50", "40", "30", "20", "10"), prices);
        JsonNode asc = run("{}", "{\"stage_id\": \"sort_relevance\", \"parameters\": {\"direction\": \"asc\"}}");
        double previous = -2;
        for (JsonNode d : asc.path("documents")) {
            assertTrue(d.path("score").asDouble() >= previous);
            previous = d.path("score").asDouble();
        }
        assertEquals("red", asc.path("documents").get(7).path("metadata").path("colour").asText());
    }

    @Test
    void limitDeduplicateAndGroupByReduce() {
        List<String> all = field(run("{}"), "colour");
        assertEquals(all.subList(1, 4), field(run("{}", "{\"stage_id\": \"limit\", \"parameters\": {\"limit\": 3, \"offset\": 1}}"), "colour"));
        assertEquals(2, run("{}", "{\"stage_id\": \"deduplicate\", \"parameters\": {\"field\": \"metadata.brand\"}}").path("documents").size());
        List<String> grouped = field(run("{}", "{\"stage_id\": \"group_by\", \"parameters\": {\"field\": \"metadata.brand\", \"max_per_group\": 2}}"), "brand");
        assertEquals(4, grouped.size());
        Map<String, Integer> perBrand = new HashMap<>();
        grouped.forEach(b -> perBrand.merge(b, 1, Integer::sum));
        assertEquals(Map.of("Acme", 2, "Globex", 2), perBrand);
    }

    @Test
    void scoreNormalizeScalesToTheUnitInterval() {
        JsonNode norm = run("{}", "{\"stage_id\": \"score_normalize\", \"parameters\": {\"method\": \"minmax\"}}");
        assertEquals(1.0, norm.path("documents").get(0).path("score").asDouble(), 1e-6);
        assertEquals(0.0, norm.path("documents").get(7).path("score").asDouble(), 1e-6);
    }

    @Test
    void sampleTakesTheSeedAndKeepsTheRelevanceOrder() {
        List<String> all = field(run("{}"), "colour");
        Set<List<String>> subsets = new HashSet<>();
        Map<String, Integer> chosen = new HashMap<>();
        for (int seed = 0; seed < 40; seed++) {
            String stage = "{\"stage_id\": \"sample\", \"parameters\": {\"size\": 3, \"seed\": " + seed + "}}";
            List<String> sample = field(run("{}", stage), "colour");
            assertEquals(3, sample.size(), "seed " + seed);
            assertTrue(all.indexOf(sample.get(0)) < all.indexOf(sample.get(1)) && all.indexOf(sample.get(1)) < all.indexOf(sample.get(2)),
                    "distinct, in relevance order: " + sample);
            assertEquals(sample, field(run("{}", stage), "colour"), "seed " + seed + " again");
            subsets.add(sample);
            sample.forEach(c -> chosen.merge(c, 1, Integer::sum));
        }
        // 40 uniform draws among C(8, 3) = 56 subsets give about 28 distinct ones (fewer than 10: p < 10⁻¹⁰),
        // and leave a colour out with probability 8·(5/8)⁴⁰ < 10⁻⁷; a stage ignoring the seed gives one subset.
        assertTrue(subsets.size() >= 10, subsets.size() + " distinct subsets");
        assertEquals(Set.copyOf(COLOURS), chosen.keySet(), "every product is sampled by some seed, not only the top ones");
    }

    private static JsonNode search(String parameters) {
        return api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {"q": "leather"}, "limit": 100, "return_vectors": false, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": %s}}]}""".formatted(parameters));
    }

    @Test
    void lexicalSearchRanksByBm25OverTheNamedTextFields() {
        JsonNode r = search("""
                {"searches": [{"search_type": "lexical", "fields": ["metadata.description"], "query": "{{INPUT.q}}", "top_k": 5}]}""");
        assertEquals(Set.of("red", "purple"), new HashSet<>(field(r, "colour")), "only documents with the word");
        assertTrue(r.path("documents").get(0).path("score").asDouble() > 0);
        JsonNode all = search("""
                {"searches": [{"search_type": "lexical", "query": "waterproof tote", "operator": "and", "top_k": 5}]}""");
        assertEquals(List.of("green"), field(all, "colour"), "operator and needs every word, in any text field");
        JsonNode filtered = search("""
                {"searches": [{"search_type": "lexical", "fields": ["metadata.description"], "query": "tote", "top_k": 10}],
                 "pre_filters": {"metadata.brand": "Acme"}}""");
        assertEquals(Set.of("yellow", "blue", "black"), new HashSet<>(field(filtered, "colour")), "only Acme's totes");
    }

    @Test
    void hybridSearchFusesLexicalAndVectorRankings() {
        // The vector search for "purple" ranks purple first; the lexical one finds red and purple (leather).
        JsonNode r = search("""
                {"searches": [{"query": "purple", "top_k": 8},
                              {"search_type": "lexical", "fields": ["metadata.description"], "query": "leather", "top_k": 8, "weight": 1}],
                 "fusion": "rrf", "final_top_k": 3}""");
        List<String> colours = field(r, "colour");
        assertEquals("purple", colours.get(0), "first in both rankings");
        assertEquals(3, colours.size());
        assertTrue(colours.contains("red"), "lifted by the lexical ranking: " + colours);
        JsonNode weighted = search("""
                {"searches": [{"query": "purple", "top_k": 8, "weight": 0.5},
                              {"search_type": "lexical", "query": "leather", "top_k": 8, "weight": 0.5}], "fusion": "weighted"}""");
        double top = weighted.path("documents").get(0).path("score").asDouble();
        assertTrue(top > 0.5 && top <= 1.0, "lexical scores are scaled to [0, 1] before weighting: " + top);
    }

    @Test
    void featureSearchGroupsAndCountsFacets() {
        JsonNode r = search("""
                {"searches": [{"query": "red", "top_k": 8}], "group_by": {"field": "metadata.brand", "max_per_group": 1},
                 "facets": ["metadata.brand", {"field": "metadata.colour", "limit": 2}]}""");
        assertEquals(2, r.path("documents").size(), "one per brand");
        assertEquals("red", r.path("documents").get(0).path("metadata").path("colour").asText());
        JsonNode brands = r.path("facets").path("metadata.brand");
        assertEquals(2, brands.size(), r.toString());
        assertEquals(1, brands.get(0).path("count").asInt(), "facets count the stage's grouped candidates");
        assertEquals(0, r.path("facets").path("metadata.colour").size() > 2 ? 1 : 0);
        JsonNode ungrouped = search("""
                {"searches": [{"query": "red", "top_k": 8}], "facets": ["metadata.brand"], "final_top_k": 2}""");
        JsonNode counts = ungrouped.path("facets").path("metadata.brand");
        assertEquals("Acme", counts.get(0).path("value").asText());
        assertEquals(4, counts.get(0).path("count").asInt(), "over all candidates, not only final_top_k");
        assertEquals(2, ungrouped.path("documents").size());
    }

    @Test
    void featureSearchWithOnlyPreFiltersListsMatchingDocuments() {
        JsonNode r = search("""
                {"final_top_k": 10}""".replace("}", ", \"pre_filters\": {\"field\": \"metadata.price\", \"operator\": \"gte\", \"value\": \"50\"}}"));
        assertEquals(Set.of("blue", "purple", "black", "white"), new HashSet<>(field(r, "colour")), "price given as text is coerced");
        r.path("documents").forEach(d -> assertEquals(1.0, d.path("score").asDouble()));
        Api.Response nothing = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {}}}]}""");
        assertEquals(422, nothing.status());
    }

    @Test
    void explainShowsThePlanWithCountsFromTheIndexAndTimingsFromPastRuns() {
        String id = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "explained", "collection_identifiers": ["c"],
                 "input_schema": {"q": {"type": "text", "required": true}, "brand": {"type": "text"}},
                 "stages": [
                   {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 8},
                    "pre_filters": {"field": "metadata.brand", "operator": "eq", "value": {"type": "dynamic", "field": "inputs.brand"}}}},
                   {"stage_name": "pricey", "config": {"stage_id": "attribute_filter", "parameters": {"field": "metadata.price", "operator": "gt", "value": 30}}},
                   {"stage_name": "top", "config": {"stage_id": "limit", "parameters": {"limit": 2}}}]}""").path("retriever_id").asText();
        String request = "{\"inputs\": {\"q\": \"blue\", \"brand\": \"Acme\"}}";
        JsonNode before = api.ok("POST", "/v1/retrievers/" + id + "/execute/explain", request);
        dev.loupe.testing.OpenApi.assertConforms("ExplainRetrieverResponse", before);
        JsonNode plan = before.path("execution_plan");
        assertEquals(3, before.path("total_estimated_stages").asInt());
        assertEquals(8, plan.get(0).path("estimated_input").asInt(), "the collection's size");
        assertEquals(4, plan.get(0).path("estimated_output").asInt(), "what the pre_filters admit");
        assertEquals("filter", plan.get(0).path("stage_type").asText());
        assertEquals(3, plan.get(1).path("estimated_output").asInt(), "5 of 8 documents cost more than 30, applied to 4");
        assertEquals(2, plan.get(2).path("estimated_output").asInt());
        assertTrue(!plan.get(0).path("cache_likely").asBoolean(), "the query text has not been embedded yet");
        assertEquals("add_filter", before.path("optimization_suggestions").get(0).path("type").asText());
        assertEquals(List.of("search"), List.of(before.path("bottleneck_stages").get(0).asText()));

        JsonNode run = api.ok("POST", "/v1/retrievers/" + id + "/execute", request);
        assertEquals(2, run.path("documents").size());
        JsonNode after = api.ok("POST", "/v1/retrievers/" + id + "/execute/explain", request);
        JsonNode search = after.path("execution_plan").get(0);
        assertTrue(search.path("cache_likely").asBoolean(), "the query vector is cached now");
        assertEquals(run.path("stage_statistics").path("stages").path("search").path("duration_ms").asDouble(),
                search.path("estimated_duration_ms").asDouble(), 1e-9, "timed from the execution");
        JsonNode noInputs = api.ok("POST", "/v1/retrievers/" + id + "/execute/explain", "{}");
        assertEquals(8, noInputs.path("execution_plan").get(0).path("estimated_output").asInt(), "no sample brand: selectivity unknown");
        assertTrue(noInputs.path("execution_plan").get(0).path("warnings").get(0).asText().contains("inputs"));
    }

    @Test
    void explainBindsTheSavedFilterAsAnExecutionDoesAndSaysWhatItLacksInTheSameWords() {
        String id = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "explained-lacking", "collection_identifiers": ["c"],
                 "stages": [
                   {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8},
                    "pre_filters": {"field": "metadata.brand", "operator": "in", "value": ["{{INPUT.brand}}"]}}},
                   {"stage_name": "cheap", "config": {"stage_id": "attribute_filter", "parameters": {"field": "metadata.price", "operator": "lte",
                    "value": {"type": "dynamic", "field": "inputs.most"}}}}]}""").path("retriever_id").asText();
        Api.Response executed = api.post("/v1/retrievers/" + id + "/execute", "{\"inputs\": {\"most\": 40}}");
        assertEquals(422, executed.status(), executed.raw());
        JsonNode plan = api.ok("POST", "/v1/retrievers/" + id + "/execute/explain", "{\"inputs\": {\"most\": 40}}").path("execution_plan");
        assertEquals("filter selectivity unknown without sample inputs: " + executed.body().path("error").path("message").asText(),
                plan.get(0).path("warnings").get(0).asText());
        JsonNode bound = api.ok("POST", "/v1/retrievers/" + id + "/execute/explain", "{\"inputs\": {\"brand\": \"Globex\", \"most\": 40}}")
                .path("execution_plan");
        assertEquals(4, bound.get(0).path("estimated_output").asInt(), "Globex has four of the eight");
        assertEquals(2, bound.get(1).path("estimated_output").asInt(), "4 of 8 cost at most 40, applied to 4");
    }

    @Test
    void anInputHoldingHalfASurrogatePairIsRefusedWhereAFilterTakesIt() {
        Api.Response r = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {"b": "Ac\\ud83dme"}, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8}}},
                 {"stage_name": "s0", "config": {"stage_id": "attribute_filter", "parameters": {"field": "metadata.brand", "operator": "eq",
                  "value": {"type": "dynamic", "field": "inputs.b"}}}}]}""");
        assertEquals(422, r.status(), r.raw());
        assertEquals("stages[1].config.parameters.value", r.body().path("error").path("details").path("field").asText(), r.raw());
        assertTrue(r.body().path("error").path("message").asText().contains("lone UTF-16 surrogate at character 2 (from input 'inputs.b')"), r.raw());
        Api.Response stageName = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "stages": [
                 {"stage_name": "se\\udc00arch", "config": {"stage_id": "feature_search", "parameters": {"query": "red \\ud800", "top_k": 8}}}]}""");
        assertEquals(422, stageName.status(), stageName.raw());
        assertEquals("stages[0].stage_name", stageName.body().path("error").path("details").path("field").asText(), stageName.raw());
    }

    @Test
    void fieldPathsOfSortsGroupsDeduplicationAndFacetsAreCheckedWhenTheRetrieverIsSaved() {
        Map<String, String> stages = new java.util.LinkedHashMap<>();
        stages.put("stages[1].config.parameters.field", "{\"stage_id\": \"sort_attribute\", \"parameters\": {\"field\": \"metadata..price\"}}");
        stages.put("stages[1].config.parameters.sort_field", "{\"stage_id\": \"sort_attribute\", \"parameters\": {\"sort_field\": \".price\"}}");
        stages.put("stages[1].config.parameters.group_by_field", "{\"stage_id\": \"group_by\", \"parameters\": {\"group_by_field\": \"metadata.\"}}");
        stages.put("stages[1].config.parameters.field ", "{\"stage_id\": \"deduplicate\", \"parameters\": {\"field\": \"%s\"}}"
                .formatted("a.".repeat(300)));
        for (Map.Entry<String, String> e : stages.entrySet()) {
            Api.Response saved = api.post("/v1/retrievers", """
                    {"retriever_name": "bad-path", "collection_identifiers": ["c"], "stages": [
                     {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8}}},
                     {"stage_name": "s", "config": %s}]}""".formatted(e.getValue()));
            assertEquals(422, saved.status(), saved.raw());
            assertEquals(e.getKey().strip(), saved.body().path("error").path("details").path("field").asText(), saved.raw());
        }
        Api.Response group = api.post("/v1/retrievers", """
                {"retriever_name": "bad-path", "collection_identifiers": ["c"], "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8,
                  "group_by": {"field": "metadata..brand"}, "facets": ["metadata.colour", "metadata..x"]}}}]}""");
        assertEquals(422, group.status(), group.raw());
        assertEquals("stages[0].config.parameters.group_by.field", group.body().path("error").path("details").path("field").asText());
        Api.Response facet = api.post("/v1/retrievers", """
                {"retriever_name": "bad-path", "collection_identifiers": ["c"], "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8,
                  "facets": ["metadata.colour", {"field": "metadata.brand"}, "metadata..x"]}}}]}""");
        assertEquals("stages[0].config.parameters.facets[2]", facet.body().path("error").path("details").path("field").asText(), facet.raw());
    }

    @Test
    void badStageParametersAreNamed() {
        Api.Response noLimit = api.post("/v1/retrievers/execute", "{\"collection_identifiers\": [\"c\"], \"inputs\": {}, \"stages\": [{\"stage_name\": \"l\", \"config\": {\"stage_id\": \"limit\", \"parameters\": {}}}]}");
        assertEquals(422, noLimit.status());
        assertTrue(noLimit.body().path("error").path("details").path("field").asText().endsWith("limit"), noLimit.raw());
        Api.Response lambda = api.post("/v1/retrievers/execute", "{\"collection_identifiers\": [\"c\"], \"inputs\": {}, \"stages\": [{\"stage_name\": \"m\", \"config\": {\"stage_id\": \"mmr\", \"parameters\": {\"lambda\": 2}}}]}");
        assertEquals(422, lambda.status());
        Api.Response direction = api.post("/v1/retrievers/execute", "{\"collection_identifiers\": [\"c\"], \"inputs\": {}, \"stages\": [{\"stage_name\": \"s\", \"config\": {\"stage_id\": \"sort_attribute\", \"parameters\": {\"field\": \"x\", \"direction\": \"sideways\"}}}]}");
        assertEquals(422, direction.status());
        Api.Response typo = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                 "parameters": {"searches": [{"query": "red", "topk": 5}]}}}]}""");
        assertEquals(422, typo.status());
        assertEquals("stages[0].config.parameters.searches[0].topk", typo.body().path("error").path("details").path("field").asText(), typo.raw());
        Api.Response range = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                 "parameters": {"searches": [{"query": "red", "top_k": 0}], "fusion": "rrf"}}}]}""");
        assertEquals(422, range.status());
        assertEquals("stages[0].config.parameters.searches[0].top_k", range.body().path("error").path("details").path("field").asText(), range.raw());
        Api.Response fusion = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                 "parameters": {"query": "red", "fusion": "average"}}}]}""");
        assertEquals("stages[0].config.parameters.fusion", fusion.body().path("error").path("details").path("field").asText(), fusion.raw());
    }

    @Test
    void theStageCatalogueListsEveryStageWithItsSchema() {
        JsonNode stages = api.ok("GET", "/v1/retrievers/stages", null);
        Set<String> ids = new HashSet<>();
        stages.forEach(s -> {
            ids.add(s.path("stage_id").asText());
            assertEquals("object", s.path("parameter_schema").path("type").asText(), s.toString());
        });
        assertEquals(new HashSet<>(StageCatalog.stageIds()), ids);
        // Every stage a retriever is saved with is written back in a shape its own schema accepts.
        JsonNode saved = api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "all", "collection_identifiers": ["c"], "stages": [
                 {"stage_name": "a", "config": {"stage_id": "feature_search", "parameters": {"searches": [{"query": "red"},
                   {"search_type": "lexical", "query": "leather", "fields": ["metadata.description"]}], "group_by": {"field": "metadata.brand"},
                   "facets": ["metadata.brand"]}, "pre_filters": {"metadata.brand": "Acme"}}},
                 {"stage_name": "b", "config": {"stage_id": "attribute_filter", "parameters": {"metadata.brand": "Acme"}}},
                 {"stage_name": "c", "config": {"stage_id": "sort_attribute", "parameters": {"sort_field": "metadata.price"}}},
                 {"stage_name": "d", "config": {"stage_id": "sort_relevance", "parameters": {}}},
                 {"stage_name": "e", "config": {"stage_id": "limit", "parameters": {"limit": 5}}},
                 {"stage_name": "f", "config": {"stage_id": "deduplicate", "parameters": {"field": "metadata.colour"}}},
                 {"stage_name": "g", "config": {"stage_id": "group_by", "parameters": {"field": "metadata.brand", "max_per_group": 3}}},
                 {"stage_name": "h", "config": {"stage_id": "score_normalize", "parameters": {"method": "zscore"}}},
                 {"stage_name": "i", "config": {"stage_id": "sample", "parameters": {"n": 4}}},
                 {"stage_name": "j", "config": {"stage_id": "mmr", "parameters": {"lambda_param": 0.7}}}]}""");
        String id = saved.path("retriever_id").asText();
        JsonNode run = api.ok("POST", "/v1/retrievers/" + id + "/execute", "{\"inputs\": {}}");
        assertEquals(10, run.path("stage_statistics").path("stages").size(), run.toString());
    }

    @Test
    void aRegexMeansTheSameInPreFiltersAndInAttributeFilter() {
        // Lucene's syntax: @ is any string, so a backtracking engine reading it as a literal would find nothing.
        String regex = "{\"field\": \"metadata.description\", \"operator\": \"regex\", \"value\": \"A (red|purple) leather@\"}";
        JsonNode pre = api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {}, "limit": 100, "stages": [
                 {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red", "top_k": 8}, "pre_filters": %s}}]}""".formatted(regex));
        assertEquals(Set.of("red", "purple"), new HashSet<>(field(pre, "colour")));
        JsonNode after = run("{}", "{\"stage_id\": \"attribute_filter\", \"parameters\": " + regex + "}");
        assertEquals(Set.of("red", "purple"), new HashSet<>(field(after, "colour")));
    }

    @Test
    void aRegexLuceneRefusesIsA422InEveryPlaceAFilterGoes() {
        for (String pattern : List.of("\\\\bred\\\\b", "\\\\Qred\\\\E", "[ac]*a[ac]{50,200}")) {
            String regex = "{\"field\": \"metadata.description\", \"operator\": \"regex\", \"value\": \"" + pattern + "\"}";
            Api.Response pre = api.post("/v1/retrievers/execute", """
                    {"collection_identifiers": ["c"], "inputs": {}, "stages": [
                     {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red"}, "pre_filters": %s}}]}""".formatted(regex));
            assertEquals(422, pre.status(), pre.raw());
            assertTrue(pre.body().path("error").path("details").path("field").asText().endsWith("pre_filters.value"), pre.raw());
            Api.Response attribute = api.post("/v1/retrievers/execute", """
                    {"collection_identifiers": ["c"], "inputs": {}, "stages": [
                     {"stage_name": "f", "config": {"stage_id": "attribute_filter", "parameters": %s}}]}""".formatted(regex));
            assertEquals(422, attribute.status(), attribute.raw());
            assertTrue(attribute.body().path("error").path("details").path("field").asText().endsWith("value"), attribute.raw());
            Api.Response saved = api.post("/v1/retrievers", """
                    {"retriever_name": "bad_regex", "collection_ids": ["c"], "stages": [
                     {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red"}, "pre_filters": %s}}]}""".formatted(regex));
            assertEquals(422, saved.status(), saved.raw());
            Api.Response listed = api.post("/v1/collections/c/documents/list", "{\"filters\": " + regex + "}");
            assertEquals(422, listed.status(), listed.raw());
            assertEquals("filters.value", listed.body().path("error").path("details").path("field").asText(), listed.raw());
            assertTrue(listed.body().path("error").path("message").asText().contains("regular expression"), listed.raw());
        }
    }

    @Test
    void mmrTopKIsBounded() {
        Api.Response tooMany = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {}, "stages": [{"stage_name": "m", "config": {"stage_id": "mmr", "parameters": {"top_k": 1001}}}]}""");
        assertEquals(422, tooMany.status(), tooMany.raw());
        assertTrue(tooMany.body().path("error").path("details").path("field").asText().endsWith("top_k"), tooMany.raw());
        assertEquals(8, run("{}", "{\"stage_id\": \"mmr\", \"parameters\": {\"top_k\": 1000}}").path("documents").size());
    }

    @Test
    void aVectorQueryHoldingANonFiniteNumberIsA422NamingIt() {
        Api.Response literal = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {}, "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                 "parameters": {"query": {"input_mode": "vector", "value": [0.5, 1e309]}}}}]}""");
        assertEquals(422, literal.status(), literal.raw());
        assertEquals("stages[0].config.parameters.query.value[1]", literal.body().path("error").path("details").path("field").asText(), literal.raw());
        Api.Response fromInputs = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {"v": [-1e309]}, "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search",
                 "parameters": {"query": {"input_mode": "vector", "value": "{{INPUT.v}}"}}}}]}""");
        assertEquals(422, fromInputs.status(), fromInputs.raw());
        assertTrue(fromInputs.body().path("error").path("details").path("field").asText().endsWith("value[0]"), fromInputs.raw());
        assertTrue(fromInputs.body().path("error").path("message").asText().contains("finite"), fromInputs.raw());
    }
}
