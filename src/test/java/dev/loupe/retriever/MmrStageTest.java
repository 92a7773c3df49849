package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Products;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mmr stage through the execute endpoint, on products where diversity matters: two red
 * photos that are near-duplicates (the same colour, different noise) and one blue. The
 * fixture encoder embeds a photo at its colour's direction, and the query "red red blue" at
 * (2·red + blue)/√5, so both reds score about 0.89, the blue about 0.45, and the two reds'
 * similarity is about 1: MMR at lambda 0.5 must put the blue, and even the irrelevant
 * green and yellow, before the second red.
 */
class MmrStageTest {
    private static final List<String> PRODUCTS = List.of("red", "red-again", "blue", "green", "yellow");
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;

    @BeforeAll
    static void products() {
        server = new TestServer(data);
        api = server.admin(null);
        Products products = Products.bucket(api, "p");
        for (int i = 0; i < PRODUCTS.size(); i++) {
            products.add(PRODUCTS.get(i).replace("-again", ""), 100 + i, "{\"product\": \"%s\"}".formatted(PRODUCTS.get(i)));
        }
        products.collection("c");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** feature_search for "red red blue" over all five products, then the given stage, if any. */
    private static JsonNode run(String stage) {
        String search = """
                {"stage_name": "search", "config": {"stage_id": "feature_search", "parameters": {"query": "red red blue", "top_k": 5}}}""";
        return api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["c"], "inputs": {}, "limit": 100, "return_vectors": false, "stages": [%s]}"""
                .formatted(stage == null ? search : search + ", {\"stage_name\": \"m\", \"config\": " + stage + "}"));
    }

    private static List<String> products(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("documents").forEach(d -> out.add(d.path("metadata").path("product").asText()));
        return out;
    }

    @Test
    void theFixtureRanksBothRedsAboveTheBlue() {
        JsonNode relevance = run(null);
        List<String> order = products(relevance);
        assertEquals(Set.of("red", "red-again"), Set.copyOf(order.subList(0, 2)), order.toString());
        assertEquals("blue", order.get(2), order.toString());
        JsonNode docs = relevance.path("documents");
        assertEquals(0.89, docs.get(1).path("score").asDouble(), 0.05, "the second red is nearly as relevant as the first");
        assertEquals(0.45, docs.get(2).path("score").asDouble(), 0.05, "the blue is half as relevant");
    }

    @Test
    void mmrDemotesTheNearDuplicateOfTheTopHit() {
        List<String> relevance = products(run(null));
        String top = relevance.get(0), duplicate = relevance.get(1);
        List<String> two = products(run("{\"stage_id\": \"mmr\", \"parameters\": {\"lambda\": 0.5, \"top_k\": 2}}"));
        assertEquals(List.of(top, "blue"), two, "relevance order was " + relevance);
        // Past the blue, green and yellow (relevance ≈ 0, redundancy ≈ 0) are worth more than the
        // duplicate (0.5·0.89 − 0.5·1 < 0): it comes last.
        List<String> all = products(run("{\"stage_id\": \"mmr\", \"parameters\": {\"lambda\": 0.5, \"top_k\": 5}}"));
        assertEquals(List.of(top, "blue"), all.subList(0, 2), all.toString());
        assertEquals(duplicate, all.get(4), all.toString());
        assertEquals(Set.copyOf(PRODUCTS), Set.copyOf(all));
    }

    @Test
    void mmrAtLambdaOneKeepsRelevanceOrder() {
        List<String> relevance = products(run(null));
        List<String> mmr = products(run("{\"stage_id\": \"mmr\", \"parameters\": {\"lambda\": 1, \"top_k\": 5}}"));
        assertEquals(relevance, mmr);
        assertTrue(mmr.indexOf("blue") > mmr.indexOf("red-again"), "the duplicate stays above the blue: " + mmr);
    }
}
