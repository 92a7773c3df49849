package dev.loupe.index.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.testing.engines.SolrCloud;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How Loupe collections map onto Solr's (sharded, replicated, each with a schema of its own), and
 * that values and paths holding Solr's query syntax mean only themselves.
 */
class SolrCollectionsTest {
    private final SolrCloud cloud = SolrCloud.shared();

    @AfterEach
    void deleteCollections() {
        cloud.deleteCollections();
    }

    private static List<IndexedDocument> docs(String collection, int n, int dimension) {
        List<IndexedDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dimension];
            v[0] = 1;
            v[1 + i % (dimension - 1)] = i;
            out.add(new IndexedDocument("doc_" + i, collection, Json.object().put("n", i), Map.of("emb", v)));
        }
        return out;
    }

    @Test
    void aCollectionHasTwoShardsEachWithReplicasOnTwoNodes() {
        String collection = "col_layout_" + Long.toHexString(System.nanoTime());
        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
            index.upsert(collection, docs(collection, 50, 4));
            Map<String, List<String>> shards = cloud.replicas(SolrDocumentIndex.PREFIX + collection, 0);
            assertEquals(2, shards.size(), shards.toString());
            for (List<String> replicas : shards.values()) {
                assertEquals(2, replicas.size(), shards.toString());
                Set<String> nodes = new HashSet<>();
                for (String r : replicas) nodes.add(r.substring(0, r.lastIndexOf("/solr")));
                assertEquals(2, nodes.size(), "a shard's replicas on different nodes: " + shards);
            }
            assertEquals(50, index.count(collection, FilterNode.ALL), "every shard answers its part");
        }
    }

    @Test
    void collectionsKeepTheirOwnVectorFieldsSoOneNameMayHaveTwoDimensions() {
        String small = "col_dim4_" + Long.toHexString(System.nanoTime());
        String large = "col_dim8_" + Long.toHexString(System.nanoTime());
        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
            index.upsert(large, docs(large, 5, 8));
            index.upsert(small, docs(small, 5, 4));
            assertEquals(5, index.nearest(small, "emb", new float[] {1, 0, 0, 0}, 10, FilterNode.ALL).size());
            assertEquals(5, index.nearest(large, "emb", new float[] {1, 0, 0, 0, 0, 0, 0, 0}, 10, FilterNode.ALL).size());
        }
    }

    @Test
    void filterValuesAndPathsHoldingQuerySyntaxMatchOnlyThemselves() {
        String collection = "col_escape_" + Long.toHexString(System.nanoTime());
        List<String> values = List.of("a:b (c) \"d\" OR *", "a:b", "*", "x\\y AND {!knn f=v.emb}", "", "-1 TO *]");
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            var f = Json.object().put("label", values.get(i));
            f.putObject("odd-path (x)").put("k:v", values.get(i));
            docs.add(new IndexedDocument("doc_" + i, collection, f, Map.of("emb", new float[] {1, i, 0, 0})));
        }
        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
            index.upsert(collection, docs);
            for (String v : values) {
                assertEquals(1, index.count(collection, condition("label", FilterNode.Operator.EQ, v)), "eq " + v);
                assertEquals(1, index.count(collection, condition("odd-path (x).k:v", FilterNode.Operator.EQ, v)), "eq on an odd path " + v);
            }
            assertEquals(2, index.count(collection, condition("label", FilterNode.Operator.STARTS_WITH, "a:b")));
            assertEquals(3, index.count(collection, condition("label", FilterNode.Operator.CONTAINS, "*")), "a star is a character, in three values");
            assertEquals(1, index.count(collection, condition("label", FilterNode.Operator.ENDS_WITH, "OR *")));
            assertEquals(4, index.count(collection, condition("label", FilterNode.Operator.GT, "*")), "a bound is a string, not syntax");
            assertEquals(1, index.nearest(collection, "emb", new float[] {1, 0, 0, 0}, 10,
                    condition("label", FilterNode.Operator.EQ, "x\\y AND {!knn f=v.emb}")).size());
        }
    }

    private static FilterNode condition(String path, FilterNode.Operator op, String value) {
        return new FilterNode.Condition(dev.loupe.document.FieldPath.parse(path), op, com.fasterxml.jackson.databind.node.TextNode.valueOf(value));
    }
}
