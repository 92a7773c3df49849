package dev.loupe.index.solr;

import dev.loupe.testing.engines.SolrCloud;
import java.time.Duration;

/** A {@link SolrDocumentIndex} on a test cluster: two shards of two replicas, every node's URL. */
final class SolrIndexes {
    private SolrIndexes() {
    }

    static SolrDocumentIndex open(SolrCloud cloud) {
        return new SolrDocumentIndex(new SolrDocumentIndex.Options(cloud.baseUrls(), 2, 2, Duration.ofSeconds(90)));
    }
}
