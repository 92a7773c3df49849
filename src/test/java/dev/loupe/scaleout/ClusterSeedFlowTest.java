package dev.loupe.scaleout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.ProductSeed;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.LoupeCluster;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's image flow ({@link ProductSeed}) on the embedded build (SQLite, Lucene, files) and on
 * the loopback cluster (PostgreSQL, Kafka, SolrCloud, S3; written through node A): every query
 * answers the same, ranked alike with the same scores, through either node. Object and document
 * ids are generated, so the embedded build and the cluster are compared by product id; the two
 * nodes, on one catalog, by document id.
 */
class ClusterSeedFlowTest {
    private static final String NAMESPACE = "seed-flow";
    /** Solr and Lucene compute one cosine in float arithmetic of their own. */
    private static final double SCORE_TOLERANCE = 1e-4;

    @TempDir
    static Path dir;
    static ImageHost images;
    static TestServer embedded;
    static LoupeCluster cluster;
    static Api onEmbedded;
    static Api onA;
    static Api onB;

    @BeforeAll
    static void seedBoth() throws Exception {
        images = new ImageHost();
        embedded = new TestServer(Files.createDirectories(dir.resolve("embedded")));
        cluster = LoupeCluster.start(dir.resolve("cluster"), 2);
        onEmbedded = ProductSeed.seed(embedded.admin(null), images, NAMESPACE).api();
        onA = ProductSeed.seed(cluster.admin(0, null), images, NAMESPACE).api();
        onB = cluster.admin(1, NAMESPACE);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {cluster, embedded, images}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    /** One ranked answer: per result, its product id, document id and score. */
    private record Ranked(List<String> products, List<String> documents, double[] scores) {
        static Ranked of(JsonNode results) {
            List<String> products = new ArrayList<>();
            List<String> documents = new ArrayList<>();
            double[] scores = new double[results.size()];
            for (int i = 0; i < results.size(); i++) {
                JsonNode d = results.get(i);
                products.add(d.path("metadata").path("product_id").asText());
                documents.add(d.path("document_id").asText());
                scores[i] = d.path("score").asDouble(Double.NaN);
            }
            return new Ranked(products, documents, scores);
        }

        /**
         * The products in rank order, those of one score by product id: the fixture encoder scores
         * unrelated colours exactly 0, and each index orders ties by its own document order.
         */
        List<String> productsTiesByName() {
            return tiesByName(products);
        }

        /** The document ids likewise: Solr's shards may return one score's documents in either order. */
        List<String> documentsTiesByName() {
            return tiesByName(documents);
        }

        private List<String> tiesByName(List<String> names) {
            if (java.util.Arrays.stream(scores).allMatch(Double::isNaN)) return names; // a document list: its order is its sort
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) order.add(i);
            order.sort(java.util.Comparator.<Integer>comparingLong(i -> -Math.round(scores[i] / SCORE_TOLERANCE)).thenComparing(names::get));
            return order.stream().map(names::get).toList();
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < products.size(); i++) sb.append(i == 0 ? "" : ", ").append(products.get(i)).append(' ').append(scores[i]);
            return sb.append(']').toString();
        }
    }

    /** Sends {@code body} to {@code path} on the embedded build and on both nodes, and compares the ranked answers. */
    private static Ranked sameEverywhere(String path, String body, String resultsField) {
        Ranked expected = Ranked.of(onEmbedded.ok("POST", path, body).path(resultsField));
        Ranked viaB = Ranked.of(onB.ok("POST", path, body).path(resultsField));
        Ranked viaA = Ranked.of(onA.ok("POST", path, body).path(resultsField));
        assertEquals(expected.productsTiesByName(), viaB.productsTiesByName(), "node B ranks as the embedded build " + expected + ": " + viaB + " for " + body);
        assertEquals(viaB.documentsTiesByName(), viaA.documentsTiesByName(), "node A and node B answer the same documents: " + body);
        for (Ranked cluster : List.of(viaA, viaB)) {
            assertEquals(expected.scores().length, cluster.scores().length, "as many results: " + body);
            for (int i = 0; i < expected.scores().length; i++) {
                assertEquals(expected.scores()[i], cluster.scores()[i], SCORE_TOLERANCE, "score of result " + i + " of " + body);
            }
        }
        return expected;
    }

    @Test
    void eachColourQueryRanksEveryProductAsTheEmbeddedBuildDoes() {
        for (String colour : ProductSeed.COLOURS) {
            Ranked r = sameEverywhere("/v1/retrievers/image-search/execute",
                    "{\"inputs\": {\"query\": \"a " + colour + " product photo\"}, \"limit\": 10}", "documents");
            assertEquals(ProductSeed.COLOURS.size(), r.products().size(), "every product is a candidate: " + r.products());
            assertEquals("P-00" + ProductSeed.COLOURS.indexOf(colour), r.products().getFirst(), colour + " first");
        }
    }

    @Test
    void aPreFilteredSearchKeepsOnlyTheFilteredBrandsInTheSameOrder() {
        Ranked r = sameEverywhere("/v1/retrievers/execute", """
                {"collection_identifiers": ["product-images"], "inputs": {"q": "red"},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {
                   "searches": [{"feature_uri": "mixpeek://image_extractor@v1/embedding", "query": {"input_mode": "text", "value": "{{INPUT.q}}"}, "top_k": 10}],
                   "pre_filters": {"AND": [{"field": "metadata.brand", "operator": "in", "value": ["Acme blue", "Acme red", "Acme white"]}]}}}}]}""",
                "documents");
        assertEquals(List.of("P-000"), r.products().subList(0, 1), "red first among the three: " + r.products());
        assertEquals(3, r.products().size(), r.products().toString());
    }

    @Test
    void aSearchFollowedByAnAttributeFilterAnswersTheSame() {
        Ranked r = sameEverywhere("/v1/retrievers/execute", """
                {"collection_identifiers": ["product-images"], "inputs": {"q": "green"},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.q}}", "top_k": 10}}},
                            {"stage_name": "f", "config": {"stage_id": "attribute_filter", "parameters": {
                              "filters": {"NOT": [{"metadata.brand": "Acme green"}]}}}}]}""", "documents");
        assertEquals(5, r.products().size(), "the filter drops green alone: " + r.products());
    }

    @Test
    void documentsListFilteredAndSortedAnswersTheSame() {
        Ranked sorted = sameEverywhere("/v1/collections/product-images/documents/list?limit=100",
                "{\"sort\": {\"field\": \"metadata.product_id\", \"direction\": \"desc\"}}", "results");
        assertEquals(List.of("P-005", "P-004", "P-003", "P-002", "P-001", "P-000"), sorted.products());
        Ranked filtered = sameEverywhere("/v1/collections/product-images/documents/list?limit=100",
                "{\"filters\": {\"AND\": [{\"field\": \"metadata.brand\", \"operator\": \"in\", \"value\": [\"Acme red\", \"Acme blue\"]}]},"
                        + " \"sort\": {\"field\": \"metadata.product_id\", \"direction\": \"asc\"}}", "results");
        assertEquals(List.of("P-000", "P-001"), filtered.products());
    }

    @Test
    void bothNodesServeEveryThumbnailFromTheSharedStore() {
        JsonNode docs = onB.ok("POST", "/v1/collections/product-images/documents/list?limit=100", "{}").path("results");
        assertEquals(ProductSeed.COLOURS.size(), docs.size());
        for (JsonNode d : docs) {
            URI url = URI.create(d.path("thumbnail_url").asText());
            String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            byte[] fromA = onA.download(cluster.node(0).base() + path);
            byte[] fromB = onB.download(cluster.node(1).base() + path);
            assertTrue(fromA.length > 0, path);
            assertArrayEquals(fromA, fromB, "both nodes serve " + path);
        }
    }
}
