package dev.loupe.index.lucene;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.DocumentPage;
import dev.loupe.index.GroupPage;
import dev.loupe.index.GroupRequest;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.NearestHits;
import dev.loupe.index.ProducedDocuments;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SortKey;
import dev.loupe.index.VectorQuantization;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@link DocumentIndex} on embedded Lucene, one index per collection under {@code root}. Each
 * job has its class: {@link CollectionIndexes} opens, drops and closes the collections' indexes,
 * {@link FieldSchema} turns documents into fields (and documents the schema),
 * {@link DocumentWriter} writes, {@link Listing}, {@link Grouping}, {@link VectorSearch} and
 * {@link LexicalSearch} read, {@link LuceneFilter} translates filters, {@link Sorting} sorts,
 * {@link DocumentLoader} reads hits back and {@link Compaction} merges segments of idle collections.
 */
public final class LuceneDocumentIndex implements DocumentIndex {
    /** The pools made for this index alone by the constructors that take none; null when they were passed in. */
    private final IndexThreads ownThreads;
    private final CollectionIndexes indexes;
    private final DocumentWriter writer;
    private final Listing listing;
    private final Grouping grouping;
    private final VectorSearch vectors;
    private final LexicalSearch lexical;
    private final Compaction compaction;

    /**
     * How nearest-neighbour searches were answered since this index opened, summed over
     * searches (each search's own is its {@link dev.loupe.index.SearchTrace}): segment graph
     * walks and the graph nodes they visited, segments scanned exactly, and of those the ones
     * whose filter matches were few enough for Loupe to choose the scan before any walk; walks
     * without the filter whose matches answered the segment (post-filtered), and those whose
     * matches fell short, so that the segment was scanned after all.
     */
    public record SearchStats(long graphWalks, long graphVisits, long segmentScans, long filteredScans, long postFilteredWalks,
                              long postFilterMisses) {
    }

    /**
     * How vectors are indexed and searched.
     *
     * @param quantization       what the graph scores; changing it affects segments written afterwards
     * @param candidates         the smallest beam of a graph search: a search for {@code k} explores
     *                           {@code max(k, candidates)} candidates, which is what keeps recall up for small {@code k};
     *                           200 by default: at a million clustered 768-d documents, 100 left recall@10 at 0.945
     *                           and 200 raised it to 0.985 for 0.2 to 0.9 ms more (BENCHMARKS.md)
     * @param rescoreOversample  with {@link VectorQuantization#INT8}, how many times more candidates the
     *                           quantized search gathers before they are rescored with float vectors
     * @param exactSearchMaxDocs a filtered search whose filter matches at most this many documents scans
     *                           their vectors instead of searching the graph: a graph search must wander
     *                           past the many neighbours a selective filter rejects, and at 10,000 matches
     *                           among a million documents the scan is the faster of the two (BENCHMARKS.md).
     *                           Decided per segment, each with its share of this budget by live documents,
     *                           from the filter's matches there, counted once ({@link CountedKnnQuery})
     * @param postFilterMaxWidening a segment the exact-scan budget allows whose matches are over 20 times what an
     *                           unfiltered walk would collect is post-filtered instead: walked without the filter,
     *                           collecting the beam or twice the hits asked for divided by the filter's share,
     *                           whichever is more, and kept to the walk's matches; this caps that walk at this many
     *                           beams (4 by default, so a filter matching at least 2.5 % of a segment, for 10 hits);
     *                           0 never post-filters ({@link CountedKnnQuery})
     */
    public record Options(VectorQuantization quantization, int candidates, int rescoreOversample, int exactSearchMaxDocs,
                          int postFilterMaxWidening) {
        public static final Options DEFAULT = new Options(VectorQuantization.NONE, 200, 2, 15_000, 4);

        public Options {
            if (candidates < 1 || rescoreOversample < 1) throw new IllegalArgumentException("candidates and oversample must be positive");
            if (exactSearchMaxDocs < 0) throw new IllegalArgumentException("exactSearchMaxDocs must not be negative");
            if (postFilterMaxWidening < 0) throw new IllegalArgumentException("postFilterMaxWidening must not be negative");
        }

        public Options withQuantization(VectorQuantization q) {
            return new Options(q, candidates, rescoreOversample, exactSearchMaxDocs, postFilterMaxWidening);
        }

        public Options withCandidates(int n) {
            return new Options(quantization, n, rescoreOversample, exactSearchMaxDocs, postFilterMaxWidening);
        }

        /** With 0, every filtered search goes through the graph. */
        public Options withExactSearchMaxDocs(int n) {
            return new Options(quantization, candidates, rescoreOversample, n, postFilterMaxWidening);
        }

        /** With 0, a filtered graph search always walks with the filter. */
        public Options withPostFilterMaxWidening(int n) {
            return new Options(quantization, candidates, rescoreOversample, exactSearchMaxDocs, n);
        }
    }

    /** With the default options and thread pools of its own, closed with it (for tests and tools). */
    public LuceneDocumentIndex(Path root) {
        this(root, Options.DEFAULT);
    }

    /** With thread pools of its own, closed with it (for tests and tools). */
    public LuceneDocumentIndex(Path root, Options options) {
        this(root, options, IndexThreads.perCore(), true);
    }

    /** On {@code threads}, which the caller closes after this index. */
    public LuceneDocumentIndex(Path root, Options options, IndexThreads threads) {
        this(root, options, threads, false);
    }

    private LuceneDocumentIndex(Path root, Options options, IndexThreads threads, boolean ownsThreads) {
        this.ownThreads = ownsThreads ? threads : null;
        this.indexes = new CollectionIndexes(root, options.quantization(), threads);
        this.writer = new DocumentWriter(indexes, threads);
        this.listing = new Listing(indexes);
        this.grouping = new Grouping(indexes);
        this.vectors = new VectorSearch(indexes, options);
        this.lexical = new LexicalSearch(indexes);
        this.compaction = new Compaction(indexes);
    }

    public SearchStats searchStats() {
        return vectors.stats();
    }

    /**
     * Merges the collection's segments now rather than when it is next idle ({@link Compaction}).
     *
     * @return whether there was anything to merge
     */
    public boolean compact(String collectionId) {
        return compaction.compact(collectionId);
    }

    @Override
    public void upsert(String collectionId, List<IndexedDocument> documents) {
        writer.upsert(collectionId, documents);
    }

    @Override
    public void replace(String collectionId, List<ProducedDocuments> produced) {
        writer.replace(collectionId, produced);
    }

    @Override
    public Optional<IndexedDocument> get(String collectionId, String documentId) {
        return listing.get(collectionId, documentId);
    }

    @Override
    public Optional<IndexedDocument> updateFields(String collectionId, String documentId, UnaryOperator<ObjectNode> change) {
        return writer.updateFields(collectionId, documentId, change);
    }

    @Override
    public boolean delete(String collectionId, String documentId) {
        return writer.delete(collectionId, documentId);
    }

    @Override
    public DocumentPage list(String collectionId, FilterNode filter, List<SortKey> sort, int offset, int limit) {
        return listing.list(collectionId, filter, sort, offset, limit);
    }

    @Override
    public long count(String collectionId, FilterNode filter) {
        return listing.count(collectionId, filter);
    }

    @Override
    public GroupPage group(String collectionId, GroupRequest request) {
        return grouping.group(collectionId, request);
    }

    @Override
    public NearestHits nearestTraced(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        return vectors.nearest(collectionId, vectorField, query, k, filter);
    }

    /** With the filter as a Lucene query (null for none), for tests that count how often a filter is evaluated. */
    NearestHits nearest(String collectionId, String vectorField, float[] query, int k, org.apache.lucene.search.Query filter) {
        return vectors.nearest(collectionId, vectorField, query, k, filter);
    }

    @Override
    public List<ScoredDocument> lexical(String collectionId, List<String> fields, String text, boolean matchAll, int k, FilterNode filter) {
        return lexical.search(collectionId, fields, text, matchAll, k, filter);
    }

    @Override
    public void drop(String collectionId) {
        indexes.drop(collectionId);
    }

    @Override
    public long deleteMatching(String collectionId, FilterNode filter) {
        return writer.deleteMatching(collectionId, filter);
    }

    @Override
    public void close() {
        compaction.close();
        try {
            indexes.close();
        } finally {
            if (ownThreads != null) ownThreads.close();
        }
    }
}
