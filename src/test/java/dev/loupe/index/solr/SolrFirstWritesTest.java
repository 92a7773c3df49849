package dev.loupe.index.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.testing.engines.SolrCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several Loupe nodes (an index each) whose first writes to a new collection land together, on a
 * cluster that has never seen Loupe's configset: each creates the configset and the collection as
 * if alone, and every write lands.
 */
class SolrFirstWritesTest {
    private static final int NODES = 3;
    private final SolrCloud cloud = SolrCloud.shared();

    @AfterEach
    void deleteCollections() {
        cloud.deleteCollections();
    }

    @Test
    void nodesWritingANewCollectionAtOnceOnAClusterWithoutTheConfigsetAllSucceed() throws Exception {
        for (int round = 0; round < 3; round++) {
            cloud.deleteCollections();
            deleteBaseConfigset();
            String collection = "col_first_" + round + "_" + Long.toHexString(System.nanoTime());
            CountDownLatch start = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(NODES)) {
                List<Future<?>> writes = new ArrayList<>();
                for (int n = 0; n < NODES; n++) {
                    int node = n;
                    writes.add(pool.submit(() -> {
                        try (SolrDocumentIndex index = SolrIndexes.open(cloud)) {
                            start.await();
                            index.upsert(collection, List.of(new IndexedDocument("doc_" + node, collection, Json.object().put("n", node),
                                    Map.of("emb", new float[] {1, node, 0, 0}))));
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> w : writes) w.get();
            }
            try (SolrDocumentIndex check = SolrIndexes.open(cloud)) {
                assertEquals(NODES, check.count(collection, FilterNode.ALL), "round " + round + ": every node's first write landed");
            }
        }
    }

    private void deleteBaseConfigset() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            http.send(HttpRequest.newBuilder(URI.create(cloud.baseUrl(0) + "/admin/configs?action=DELETE&wt=json&name=" + SolrDocumentIndex.CONFIGSET))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
