package dev.loupe.index.lucene;

import dev.loupe.index.DocumentIndex;
import dev.loupe.index.contract.ReplaceContract;
import java.nio.file.Path;

/** The {@link ReplaceContract} on embedded Lucene. */
class LuceneReplaceTest extends ReplaceContract {
    @Override
    protected DocumentIndex openIndex(Path dir) {
        return new LuceneDocumentIndex(dir);
    }
}
