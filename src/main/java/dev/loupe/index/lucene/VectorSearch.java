package dev.loupe.index.lucene;

import dev.loupe.filter.FilterNode;
import dev.loupe.index.ScoredDocument;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/**
 * Nearest-neighbour search. A search for {@code k} explores at least
 * {@link LuceneDocumentIndex.Options#candidates()} graph candidates (recall at small {@code k}
 * depends on it); segments are searched in parallel. A filter is applied inside the graph
 * search, so it still yields {@code k} hits; one that matches at most
 * {@link LuceneDocumentIndex.Options#exactSearchMaxDocs()} documents is answered by scanning
 * those exactly. With {@link dev.loupe.index.VectorQuantization#INT8} the quantized graph's best
 * candidates are rescored with the float vectors.
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

    List<ScoredDocument> nearest(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        Query f = filter instanceof FilterNode.All ? null : LuceneFilter.toQuery(filter);
        int candidates = Math.max(k, options.candidates());
        Query knn = switch (options.quantization()) {
            case NONE -> new CountedKnnQuery(vectorField, query, candidates, f, counts);
            // Segments written as float32 are rescored too, which costs little and changes nothing.
            case INT8 -> RescoreTopNQuery.createFullPrecisionRescorerQuery(
                    new CountedKnnQuery(vectorField, query, candidates * options.rescoreOversample(), f, counts), query, vectorField, candidates);
        };
        return indexes.search(collectionId, s -> {
            DocumentLoader loader = new DocumentLoader(s, collectionId);
            List<ScoredDocument> hits = new ArrayList<>();
            boolean scan = f != null && s.count(f) <= options.exactSearchMaxDocs();
            if (scan) counts.filteredScans.increment();
            TopDocs top = scan ? exactNearest(s, vectorField, query, k, f) : s.search(knn, k);
            for (ScoreDoc sd : top.scoreDocs) {
                // Lucene scores cosine as (1 + cos) / 2; report the cosine itself.
                hits.add(new ScoredDocument(loader.load(sd.doc), 2 * sd.score - 1));
            }
            return hits;
        });
    }

    /**
     * The true top {@code k} among the documents {@code filter} matches, scoring each with
     * the float vectors. For a selective filter this is both exact and faster than a graph
     * search, which must wander past the many neighbours the filter rejects.
     */
    private static TopDocs exactNearest(IndexSearcher s, String field, float[] query, int k, Query filter) throws IOException {
        Weight weight = s.createWeight(s.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1);
        DoubleValuesSource similarity = new FullPrecisionFloatVectorSimilarityValuesSource(query, field);
        PriorityQueue<ScoreDoc> best = new PriorityQueue<>(k + 1, Comparator.comparingDouble((ScoreDoc d) -> d.score));
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = weight.scorer(leaf);
            if (scorer == null || leaf.reader().getFloatVectorValues(field) == null) continue;
            DoubleValues values = similarity.getValues(leaf, null);
            DocIdSetIterator docs = scorer.iterator();
            Bits live = leaf.reader().getLiveDocs();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if ((live != null && !live.get(doc)) || !values.advanceExact(doc)) continue;
                float score = (float) values.doubleValue();
                if (best.size() < k) {
                    best.add(new ScoreDoc(leaf.docBase + doc, score));
                } else if (score > best.peek().score) {
                    best.poll();
                    best.add(new ScoreDoc(leaf.docBase + doc, score));
                }
            }
        }
        ScoreDoc[] out = new ScoreDoc[best.size()];
        for (int i = out.length - 1; i >= 0; i--) out[i] = best.poll();
        return new TopDocs(new TotalHits(out.length, TotalHits.Relation.EQUAL_TO), out);
    }
}
