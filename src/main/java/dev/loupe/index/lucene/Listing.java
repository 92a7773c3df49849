package dev.loupe.index.lucene;

import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentPage;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.SortKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/** Reads documents by id, by filter in pages sorted by {@link Sorting}, and counts them. */
final class Listing {
    private final CollectionIndexes indexes;

    Listing(CollectionIndexes indexes) {
        this.indexes = indexes;
    }

    Optional<IndexedDocument> get(String collectionId, String documentId) {
        return indexes.search(collectionId, s -> {
            TopDocs top = s.search(new TermQuery(new Term(FieldSchema.ID, documentId)), 1);
            if (top.scoreDocs.length == 0) return Optional.empty();
            return Optional.of(new DocumentLoader(s, collectionId).load(top.scoreDocs[0].doc));
        });
    }

    DocumentPage list(String collectionId, FilterNode filter, List<SortKey> sort, int offset, int limit) {
        Query query = LuceneFilter.toQuery(filter);
        return indexes.search(collectionId, s -> {
            long total = s.count(query);
            if (limit == 0 || offset >= total) return new DocumentPage(List.of(), total);
            TopDocs top = s.search(query, offset + limit, Sorting.of(s, sort));
            DocumentLoader loader = new DocumentLoader(s, collectionId);
            List<IndexedDocument> docs = new ArrayList<>();
            for (int i = offset; i < top.scoreDocs.length; i++) docs.add(loader.load(top.scoreDocs[i].doc));
            return new DocumentPage(docs, total);
        });
    }

    long count(String collectionId, FilterNode filter) {
        Query query = LuceneFilter.toQuery(filter);
        return indexes.search(collectionId, s -> (long) s.count(query));
    }
}
