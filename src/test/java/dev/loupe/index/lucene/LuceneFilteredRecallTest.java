package dev.loupe.index.lucene;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.contract.FilteredRecallContract;
import java.nio.file.Path;

/**
 * The {@link FilteredRecallContract} on embedded Lucene, with every filtered search sent
 * through the graph: by default a contract-sized collection is small enough that every
 * filter would be scanned exactly, which would not test the graph search at all.
 */
class LuceneFilteredRecallTest extends FilteredRecallContract {
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return new LuceneDocumentIndex(dir, LuceneDocumentIndex.Options.DEFAULT.withExactSearchMaxDocs(0));
    }
}
