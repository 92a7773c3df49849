package dev.loupe.index.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.testing.engines.SolrCloud;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When a node dies with SIGKILL, the index still answers and still takes writes once the
 * leaderships the node held have moved; the node comes back with every write.
 */
class SolrCloudFailoverTest {
    private final SolrCloud cloud = SolrCloud.shared();
    private final String collection = "col_failover_" + Long.toHexString(System.nanoTime());
    private final String solrCollection = SolrDocumentIndex.PREFIX + collection;

    @AfterEach
    void deleteCollections() {
        for (int i = 0; i < cloud.nodes().size(); i++) if (!cloud.nodes().get(i).isAlive()) cloud.restart(i);
        cloud.deleteCollections();
    }

    private List<IndexedDocument> docs(int from, int to) {
        List<IndexedDocument> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            float[] v = {1, i, 0, 0};
            out.add(new IndexedDocument("doc_" + i, collection, Json.object().put("n", i), Map.of("emb", v)));
        }
        return out;
    }

    @Test
    void aNodeKilledWithSigkillLeavesSearchesAnsweringAndWritesSucceedingOnceItsLeadershipsMove() {
        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
            index.upsert(collection, docs(0, 100));
            int victim = nodeHoldingALeader();
            int survivor = (victim + 1) % cloud.nodes().size();
            cloud.kill9(victim);

            assertEquals(100, index.count(collection, FilterNode.ALL), "each shard still has a replica that answers");
            assertEquals(10, index.nearest(collection, "emb", new float[] {1, 0, 0, 0}, 10, FilterNode.ALL).size());

            cloud.awaitLeaders(solrCollection, survivor);
            for (String replica : cloud.replicas(solrCollection, survivor).values().stream().flatMap(List::stream).toList()) {
                if (replica.endsWith(":leader")) assertFalse(replica.startsWith(cloud.baseUrl(victim)), "the leadership moved: " + replica);
            }
            index.upsert(collection, docs(100, 120));
            assertEquals(120, index.count(collection, FilterNode.ALL));
            assertTrue(index.get(collection, "doc_110").isPresent());

            cloud.restart(victim);
            cloud.awaitLeaders(solrCollection, victim);
            assertEquals(120, index.count(collection, FilterNode.ALL), "the node came back and the writes are all there");
        }
    }

    private int nodeHoldingALeader() {
        for (String replica : cloud.replicas(solrCollection, 0).values().stream().flatMap(List::stream).toList()) {
            if (!replica.endsWith(":leader")) continue;
            for (int i = 0; i < cloud.nodes().size(); i++) if (replica.startsWith(cloud.baseUrl(i) + ":")) return i;
        }
        throw new IllegalStateException("no leader found: " + cloud.replicas(solrCollection, 0));
    }
}
