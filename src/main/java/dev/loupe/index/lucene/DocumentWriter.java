package dev.loupe.index.lucene;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ProducedDocuments;
import dev.loupe.index.lucene.CollectionIndexes.CollectionIndex;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/**
 * Every write, each committed (durable) and visible to searches when it returns. Writes that
 * read before they write (updates, replacements, deletes) hold the collection index's lock,
 * so that an update that read a document cannot write it back over a delete or a replacement.
 */
final class DocumentWriter {
    /**
     * The fewest documents a batch gives each writing thread: every thread writes its own
     * segment, and segments much smaller than this cost more in merges than their parallel
     * graph building saved.
     */
    static final int MIN_SLICE = 1000;

    private final CollectionIndexes indexes;
    private final IndexThreads threads;

    DocumentWriter(CollectionIndexes indexes, IndexThreads threads) {
        this.indexes = indexes;
        this.threads = threads;
    }

    /**
     * A large batch is written by {@link IndexThreads#mergeWorkers} threads at once, one slice
     * each (Lucene builds each segment's graph on the thread that adds its documents), and
     * committed once all are written: durable when this returns, as a batch written by one thread.
     */
    void upsert(String collectionId, List<IndexedDocument> documents) {
        if (documents.isEmpty()) return;
        CollectionIndex index = indexes.open(collectionId);
        try {
            List<List<IndexedDocument>> slices = slices(documents, Math.min(threads.mergeWorkers(), documents.size() / MIN_SLICE));
            List<Future<?>> others = new ArrayList<>();
            for (List<IndexedDocument> slice : slices.subList(1, slices.size())) {
                others.add(threads.indexing().submit(() -> {
                    write(index, slice);
                    return null;
                }));
            }
            Throwable failed = null;
            try {
                write(index, slices.getFirst());
            } catch (IOException | RuntimeException e) {
                failed = e;
            }
            // Every slice finishes (or fails) before this returns, and this call commits no batch that failed (as with one thread).
            for (Future<?> other : others) {
                try {
                    other.get();
                } catch (ExecutionException e) {
                    if (failed == null) failed = e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (failed == null) failed = new InterruptedIOException("interrupted while writing a batch");
                }
            }
            switch (failed) {
                case null -> { }
                case IOException e -> throw e;
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new IOException(failed);
            }
            index.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("indexing into collection " + collectionId + " failed", e);
        }
    }

    private static void write(CollectionIndex index, List<IndexedDocument> documents) throws IOException {
        for (IndexedDocument d : documents) index.writer().updateDocument(idTerm(d.documentId()), FieldSchema.toLucene(d, null));
    }

    /**
     * {@code documents} in {@code count} slices (at least one) by document id, so that the writes
     * of one id stay in one slice in their order and the last of them wins, as in one thread.
     */
    static List<List<IndexedDocument>> slices(List<IndexedDocument> documents, int count) {
        if (count <= 1) return List.of(documents);
        List<List<IndexedDocument>> slices = new ArrayList<>();
        for (int i = 0; i < count; i++) slices.add(new ArrayList<>());
        for (IndexedDocument d : documents) slices.get(Math.floorMod(d.documentId().hashCode(), count)).add(d);
        return slices;
    }

    void replace(String collectionId, List<ProducedDocuments> produced) {
        if (produced.isEmpty()) return;
        CollectionIndex index = indexes.open(collectionId);
        synchronized (index) {
            try {
                for (ProducedDocuments p : produced) {
                    BooleanQuery.Builder old = new BooleanQuery.Builder()
                            .add(new TermQuery(new Term(FieldSchema.PRODUCER, p.producer())), BooleanClause.Occur.SHOULD);
                    for (IndexedDocument d : p.documents()) old.add(new TermQuery(idTerm(d.documentId())), BooleanClause.Occur.SHOULD);
                    // One call deletes and adds atomically: no reader opened in between sees the producer with no documents.
                    index.writer().updateDocuments(old.build(), p.documents().stream().map(d -> FieldSchema.toLucene(d, p.producer())).toList());
                }
                index.commit();
            } catch (IOException e) {
                throw new UncheckedIOException("indexing into collection " + collectionId + " failed", e);
            }
        }
    }

    /** A stored document and the key of what produced it (null for none). */
    private record Stored(IndexedDocument document, String producer) {
    }

    Optional<IndexedDocument> updateFields(String collectionId, String documentId, UnaryOperator<ObjectNode> change) {
        CollectionIndex index = indexes.open(collectionId);
        // Read, change and write under the lock: two updates at once would each write over the other's change.
        synchronized (index) {
            Stored current = indexes.search(collectionId, s -> {
                TopDocs top = s.search(new TermQuery(idTerm(documentId)), 1);
                if (top.scoreDocs.length == 0) return null;
                DocumentLoader loader = new DocumentLoader(s, collectionId);
                return new Stored(loader.load(top.scoreDocs[0].doc), loader.producer(top.scoreDocs[0].doc));
            });
            if (current == null) return Optional.empty();
            IndexedDocument updated = new IndexedDocument(documentId, collectionId, change.apply(current.document().fields().deepCopy()),
                    current.document().vectors());
            try {
                index.writer().updateDocument(idTerm(documentId), FieldSchema.toLucene(updated, current.producer()));
                index.commit();
            } catch (IOException e) {
                throw new UncheckedIOException("updating document " + documentId + " of collection " + collectionId + " failed", e);
            }
            return Optional.of(updated);
        }
    }

    boolean delete(String collectionId, String documentId) {
        Query query = new TermQuery(idTerm(documentId));
        if (indexes.search(collectionId, s -> s.count(query)) == 0) return false;
        deleteWhere(collectionId, query);
        return true;
    }

    long deleteMatching(String collectionId, FilterNode filter) {
        // Opening an index creates its directory; a collection dropped meanwhile must not come back.
        if (!indexes.exists(collectionId)) return 0;
        Query query = LuceneFilter.toQuery(filter);
        long matching = indexes.search(collectionId, s -> (long) s.count(query));
        // A buffered delete counts as a change even when it matches nothing, and would commit an empty generation.
        if (matching == 0) return 0;
        deleteWhere(collectionId, query);
        return matching;
    }

    /** Under the lock {@link #updateFields} holds, so an update that read a document before the delete cannot write it back afterwards. */
    private void deleteWhere(String collectionId, Query query) {
        CollectionIndex index = indexes.open(collectionId);
        synchronized (index) {
            try {
                index.writer().deleteDocuments(query);
                index.commit();
            } catch (IOException e) {
                throw new UncheckedIOException("deleting from collection " + collectionId + " failed", e);
            }
        }
    }

    private static Term idTerm(String documentId) {
        return new Term(FieldSchema.ID, documentId);
    }
}
