package dev.loupe.index.solr;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.contract.FilteredRecallContract;
import dev.loupe.testing.engines.SolrCloud;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/** The {@link FilteredRecallContract} on a three-node SolrCloud: Solr 9 filters inside the kNN search. */
class SolrFilteredRecallTest extends FilteredRecallContract {
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return SolrIndexes.open(SolrCloud.shared());
    }

    @AfterEach
    void deleteCollections() {
        SolrCloud.shared().deleteCollections();
    }
}
