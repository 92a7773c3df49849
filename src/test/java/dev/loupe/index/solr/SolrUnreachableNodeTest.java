package dev.loupe.index.solr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.testing.engines.SolrCloud;
import dev.loupe.testing.engines.TcpProxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node that accepts connections and never answers (cut off by the network, or stuck forwarding
 * to a dead node) holds one attempt for {@link SolrDocumentIndex.Options#attempt} only: the request
 * then goes to the next node, within {@code retryFor}, instead of waiting out the HTTP client. A
 * node that refuses connections (its process is dead) costs each write nothing that outlives it.
 */
class SolrUnreachableNodeTest {
    private final SolrCloud cloud = SolrCloud.shared();
    private final String collection = "col_unreachable_" + Long.toHexString(System.nanoTime());

    @AfterEach
    void deleteCollections() {
        cloud.deleteCollections();
    }

    @Test
    void searchesAndWritesMoveOnFromANodeThatNeverAnswersWithinRetryFor() {
        List<IndexedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 20; i++) docs.add(new IndexedDocument("doc_" + i, collection, Json.object().put("n", i), Map.of("emb", new float[] {1, i, 0, 0})));
        try (SolrDocumentIndex setup = SolrIndexes.open(cloud)) {
            setup.upsert(collection, docs);
        }
        int live = URI.create(cloud.baseUrl(0)).getPort();
        try (TcpProxy silent = TcpProxy.to("solr-silent", live)) {
            silent.partition();
            String silentUrl = "http://127.0.0.1:" + silent.port() + "/solr";
            // the silent node first, so the first attempt of each call goes to it
            var options = new SolrDocumentIndex.Options(List.of(silentUrl, cloud.baseUrl(0)), 2, 2, Duration.ofSeconds(20), Duration.ofSeconds(2));
            try (SolrDocumentIndex index = new SolrDocumentIndex(options)) {
                assertEquals(20, index.count(collection, FilterNode.ALL), "answered by the node that answers");
            }
            try (SolrDocumentIndex index = new SolrDocumentIndex(options)) {
                index.upsert(collection, List.of(new IndexedDocument("doc_20", collection, Json.object().put("n", 20), Map.of("emb", new float[] {1, 20, 0, 0}))));
            }
        }
        try (SolrDocumentIndex check = SolrIndexes.open(cloud)) {
            assertEquals(21, check.count(collection, FilterNode.ALL));
        }
    }

    /**
     * Before {@link BufferedBody}, each refused write left one of the HTTP client's four body
     * writers waiting forever, and the fourth write hung for good, past every timeout: an ingestion
     * worker stopped for the rest of its life after a Solr node was killed.
     */
    @Test
    void writesRefusedByADeadNodeLeaveNothingBehindAndGoThroughOnceItIsBack() {
        int live = URI.create(cloud.baseUrl(0)).getPort();
        TcpProxy node = TcpProxy.to("solr-dies", live);
        int port = node.port();
        var options = new SolrDocumentIndex.Options(List.of("http://127.0.0.1:" + port + "/solr"), 1, 1, Duration.ofSeconds(2), Duration.ofSeconds(5));
        try (SolrDocumentIndex index = new SolrDocumentIndex(options)) {
            index.upsert(collection, List.of(doc(0))); // the collection and its vector field now exist and are known
            node.close();
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                for (int i = 1; i <= 4; i++) {
                    int n = i;
                    assertThrows(LoupeException.Unavailable.class, () -> index.upsert(collection, List.of(doc(n))), "write " + n + " while the node is down");
                }
                try (TcpProxy back = TcpProxy.on("solr-back", port, live)) {
                    index.upsert(collection, List.of(doc(5)));
                }
            }, "writes through a node that was down and came back must not hang");
        }
        try (SolrDocumentIndex check = SolrIndexes.open(cloud)) {
            assertEquals(2, check.count(collection, FilterNode.ALL), "the write before the node died and the one after it came back");
        }
    }

    /** Larger than the client's 1 KB pipe, so that a body nobody reads fills it. */
    private IndexedDocument doc(int n) {
        return new IndexedDocument("doc_" + n, collection, Json.object().put("n", n).put("text", "words ".repeat(4000)), Map.of("emb", new float[] {1, n, 0, 0}));
    }
}
