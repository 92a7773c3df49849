package dev.loupe.index.lucene;

import dev.loupe.filter.FilterNode;
import dev.loupe.index.NearestHits;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SearchTrace;
import dev.loupe.index.VectorQuantization;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;

/**
 * Nearest-neighbour search. A search for {@code k} explores at least
 * {@link LuceneDocumentIndex.Options#candidates()} graph candidates (recall at small {@code k}
 * depends on it); segments are searched in parallel. A filter is applied inside the graph
 * search, so it still yields {@code k} hits, and is evaluated once per segment: that one pass
 * also decides, segment by segment, whether the filter is selective enough
 * ({@link LuceneDocumentIndex.Options#exactSearchMaxDocs()}) to scan its matches exactly
 * instead, or broad enough ({@link LuceneDocumentIndex.Options#postFilterMaxWidening()}) to walk
 * without it and keep the walk's matches ({@link CountedKnnQuery}). With {@link dev.loupe.index.VectorQuantization#INT8} the
 * quantized search's best candidates are rescored with the float vectors. Every search says how
 * it was answered ({@link SearchTrace}).
 */
final class VectorSearch {
    private final CollectionIndexes indexes;
    private final LuceneDocumentIndex.Options options;
    private final CountedKnnQuery.Counts counts = new CountedKnnQuery.Counts();

    VectorSearch(CollectionIndexes indexes, LuceneDocumentIndex.Options options) {
        this.indexes = indexes;
        this.options = options;
    }

    LuceneDocumentIndex.SearchStats stats() {
        return counts.snapshot();
    }

    NearestHits nearest(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        return nearest(collectionId, vectorField, query, k, filter instanceof FilterNode.All ? null : LuceneFilter.toQuery(filter));
    }

    /** With the filter as a Lucene query (null for none): what a test counting the filter's evaluations passes. */
    NearestHits nearest(String collectionId, String vectorField, float[] query, int k, Query filter) {
        int candidates = Math.max(k, options.candidates());
        boolean rescored = options.quantization() == VectorQuantization.INT8;
        // Segments written as float32 are rescored too, which costs little and changes nothing.
        CountedKnnQuery knn = new CountedKnnQuery(vectorField, query, rescored ? candidates * options.rescoreOversample() : candidates, k,
                filter, options.exactSearchMaxDocs(), options.postFilterMaxWidening(), counts);
        Query search = rescored ? RescoreTopNQuery.createFullPrecisionRescorerQuery(knn, query, vectorField, candidates) : knn;
        return indexes.search(collectionId, s -> {
            DocumentLoader loader = new DocumentLoader(s, collectionId);
            List<ScoredDocument> hits = new ArrayList<>();
            for (ScoreDoc sd : s.search(search, k).scoreDocs) {
                // Lucene scores cosine as (1 + cos) / 2; report the cosine itself.
                hits.add(new ScoredDocument(loader.load(sd.doc), 2 * sd.score - 1));
            }
            return new NearestHits(hits, knn.trace(rescored));
        });
    }
}
