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

/** How Loupe collections map onto Solr's: sharded, replicated, each with a schema of its own. */
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
}
