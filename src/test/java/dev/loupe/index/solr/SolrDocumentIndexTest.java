package dev.loupe.index.solr;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.contract.DocumentIndexContract;
import dev.loupe.testing.engines.SolrCloud;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/** The {@link DocumentIndexContract} on a three-node SolrCloud, collections of two shards of two replicas. */
class SolrDocumentIndexTest extends DocumentIndexContract {
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return SolrIndexes.open(SolrCloud.shared());
    }

    @AfterEach
    void deleteCollections() {
        SolrCloud.shared().deleteCollections();
    }
}
