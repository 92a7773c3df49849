package dev.loupe.index.solr;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.contract.ReplaceContract;
import dev.loupe.testing.engines.SolrCloud;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/** The {@link ReplaceContract} on a three-node SolrCloud. */
class SolrReplaceTest extends ReplaceContract {
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return SolrIndexes.open(SolrCloud.shared());
    }

    @AfterEach
    void deleteCollections() {
        SolrCloud.shared().deleteCollections();
    }
}
