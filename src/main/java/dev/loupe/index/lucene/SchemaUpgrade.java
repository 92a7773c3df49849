package dev.loupe.index.lucene;

import dev.loupe.index.IndexedDocument;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.util.Bits;

/** Brings a collection's index to {@link FieldSchema#VERSION} when it is opened. */
final class SchemaUpgrade {
    private static final Logger LOG = Logger.getLogger(SchemaUpgrade.class.getName());

    private SchemaUpgrade() {
    }

    /**
     * An index written by an older version has every document rewritten from what it stores
     * of it (its source and its vectors), so that terms the older version did not write exist.
     * The version is committed with the rewrite, so one interrupted starts over at the next
     * open; a new index records it at once.
     *
     * @throws IllegalStateException when the index was written by a newer version
     */
    static void apply(IndexWriter writer, String collectionId) throws IOException {
        int found = 0;
        Iterable<Map.Entry<String, String>> committed = writer.getLiveCommitData();
        if (committed != null) {
            for (Map.Entry<String, String> e : committed) if (e.getKey().equals(FieldSchema.VERSION_KEY)) found = Integer.parseInt(e.getValue());
        }
        if (found == FieldSchema.VERSION) return;
        if (found > FieldSchema.VERSION) {
            throw new IllegalStateException("the index of collection " + collectionId + " has schema version " + found
                    + ", newer than this Loupe understands (" + FieldSchema.VERSION + "); upgrade Loupe");
        }
        long rewritten = 0;
        try (DirectoryReader before = DirectoryReader.open(writer)) {
            DocumentLoader loader = new DocumentLoader(new IndexSearcher(before), collectionId);
            for (LeafReaderContext leaf : before.leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                for (int i = 0; i < leaf.reader().maxDoc(); i++) {
                    if (live != null && !live.get(i)) continue;
                    IndexedDocument d = loader.load(leaf.docBase + i);
                    String producer = loader.producer(leaf.docBase + i);
                    writer.updateDocument(new Term(FieldSchema.ID, d.documentId()), FieldSchema.toLucene(d, producer));
                    rewritten++;
                }
            }
        }
        writer.setLiveCommitData(Map.of(FieldSchema.VERSION_KEY, String.valueOf(FieldSchema.VERSION)).entrySet());
        writer.commit();
        if (rewritten > 0) {
            LOG.info("rewrote " + rewritten + " documents of collection " + collectionId + " from schema version "
                    + (found == 0 ? "2 or older" : found) + " to " + FieldSchema.VERSION);
        }
    }
}
