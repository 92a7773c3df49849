package dev.loupe.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.document.FieldPath;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterValues;
import dev.loupe.filter.Words;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KeywordField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.DoubleValues;
import org.apache.lucene.search.DoubleValuesSource;
import org.apache.lucene.search.FullPrecisionFloatVectorSimilarityValuesSource;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.RescoreTopNQuery;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSelector;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.search.SortedSetSelector;
import org.apache.lucene.search.SortedSetSortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues;

/**
 * {@link DocumentIndex} on embedded Lucene: one index directory per collection under
 * {@code <root>/<collection_id>/}, one {@link IndexWriter} each, searched through a
 * {@link SearcherManager} refreshed after every commit. A dropped collection leaves a marker
 * {@code <root>/dropped/<collection_id>}: it reads as empty and refuses writes, so work that was
 * in flight when its collection was deleted cannot bring an index back that no API reaches
 * (collection ids are never reused).
 *
 * <h2>Schema (version {@value #SCHEMA_VERSION})</h2>
 * For each document:
 * <ul>
 *   <li>{@code _id} — the document id (indexed term, stored);</li>
 *   <li>{@code _producer} — for documents written by {@link #replace}, the key of what produced
 *       them (indexed term, stored), kept when the fields are rewritten;</li>
 *   <li>{@code _source} — the document's JSON fields, stored, returned as they are;</li>
 *   <li>{@code <name>} — each vector as an HNSW-indexed {@link KnnFloatVectorField} (cosine),
 *       float32 or int8-quantized per {@link VectorQuantization}; the float vectors are kept
 *       either way and returned from there (schema 1 also stored them as {@code v.<name>},
 *       which is still read);</li>
 *   <li>for every scalar at dot path {@code p} of the JSON, as {@link FieldPath} reaches it
 *       (array elements, at any depth of nesting, under the array's path): {@code s.p} — strings and booleans as keyword terms with sorted-set
 *       doc values; {@code n.p} — numbers as double points with sorted-numeric doc values;
 *       {@code t.p} — strings analysed for full-text matching;</li>
 *   <li>{@code _has} — one term per path present (and each of its parents), for {@code exists};
 *       {@code _null} — one term per path whose value is JSON null.</li>
 * </ul>
 * Strings and numbers use separate prefixes so one path may hold both kinds across
 * documents without conflicting doc-value types. Each commit records the schema version
 * ({@link #SCHEMA_KEY}); a collection whose index was written by an older version is
 * rewritten from its stored source and vectors when it is first opened ({@link #upgrade}).
 *
 * <h2>Sorting by a field</h2>
 * A field sorts numerically when any document of the collection holds a number there (the
 * others then sort as missing), else by its terms in code point order. A multi-valued field
 * sorts ascending by its smallest value and descending by its largest; missing values come
 * last either way, ties go by document id. {@code CandidateOps} sorts candidates by the same rule.
 *
 * <h2>Nearest-neighbour search</h2>
 * A search for {@code k} explores at least {@link Options#candidates()} graph candidates
 * (recall at small {@code k} depends on it); segments are searched in parallel. A filter is
 * applied inside the graph search, so it still yields {@code k} hits; one that matches at
 * most {@link Options#exactSearchMaxDocs()} documents is answered by scanning those exactly.
 * Every commit adds a segment with its own graph, and a search visits them all, so a
 * collection left without writes for a minute is {@linkplain #compact compacted}.
 */
public final class LuceneDocumentIndex implements DocumentIndex {
    /**
     * 3: values inside nested arrays are indexed under the array's path, and keyword terms are
     * cut without splitting a surrogate pair ({@link FilterValues#term}); 2 and 1 lacked both.
     */
    public static final int SCHEMA_VERSION = 3;
    /** The commit user-data key holding the schema version a collection's index was written with; absent before version 3. */
    static final String SCHEMA_KEY = "loupe.schema_version";
    /** Where the markers of dropped collections are kept. */
    private static final String DROPPED = "dropped";

    static final String ID = "_id";
    static final String PRODUCER = "_producer";
    static final String SOURCE = "_source";
    static final String HAS = "_has";
    static final String NULL = "_null";
    static final String STRING = "s.";
    static final String NUMBER = "n.";
    static final String TEXT = "t.";
    static final String VECTOR = "v.";

    private static final Pattern COLLECTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Analyzer ANALYZER = Words.ANALYZER;
    private static final double RAM_BUFFER_MB = 128;
    /**
     * Graph degree and build beam, twice Lucene's defaults (16, 100): with the defaults, a
     * one-segment graph of a million clustered 768-d vectors left a few percent of queries
     * unable to reach their neighbours at any search beam, in an earlier run of the search
     * benchmark (BENCHMARKS.md has the figures with these settings: recall@10 0.985 at a
     * million). Building takes about twice as long, which ingestion, bound by the image
     * model, hardly notices; the graph stays small (63 MB for a million documents).
     */
    private static final int GRAPH_MAX_CONNECTIONS = 32;
    private static final int GRAPH_BEAM_WIDTH = 200;
    private static final double COMPACT_SEGMENT_MB = 5000;
    private static final java.time.Duration IDLE_BEFORE_COMPACT = java.time.Duration.ofMinutes(1);
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(LuceneDocumentIndex.class.getName());
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Builds a merged segment's graph on every core, so compaction takes minutes, not tens of them. */
    private static final ExecutorService GRAPH_MERGE = Executors.newFixedThreadPool(
            CORES, Thread.ofPlatform().name("index-merge-", 0).daemon().factory());
    /**
     * Searches a query's segments in parallel, one task per segment, on as many threads as
     * there are cores: a nearest-neighbour search visits every segment's graph, and one
     * query should not wait on them one after another.
     */
    private static final ExecutorService SEGMENT_SEARCH = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), Thread.ofPlatform().name("index-search-", 0).daemon().factory());

    private final Path root;
    private final Options options;
    private final CountedKnnQuery.Counts counts = new CountedKnnQuery.Counts();

    /**
     * How nearest-neighbour searches were answered since this index opened: segments
     * searched through the HNSW graph and the graph nodes visited, segments Lucene
     * scanned exactly instead, and searches whose filter was selective enough for Loupe
     * to scan its matches without any graph.
     */
    public record SearchStats(long graphWalks, long graphVisits, long segmentScans, long filteredScans) {
    }

    public SearchStats searchStats() {
        return counts.snapshot();
    }
    private final ConcurrentMap<String, Shard> shards = new ConcurrentHashMap<>();
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("index-maintenance").daemon().factory());

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
     *                           among a million documents the scan is the faster of the two (BENCHMARKS.md)
     */
    public record Options(VectorQuantization quantization, int candidates, int rescoreOversample, int exactSearchMaxDocs) {
        public static final Options DEFAULT = new Options(VectorQuantization.NONE, 200, 2, 15_000);

        public Options {
            if (candidates < 1 || rescoreOversample < 1) throw new IllegalArgumentException("candidates and oversample must be positive");
            if (exactSearchMaxDocs < 0) throw new IllegalArgumentException("exactSearchMaxDocs must not be negative");
        }

        public Options withQuantization(VectorQuantization q) {
            return new Options(q, candidates, rescoreOversample, exactSearchMaxDocs);
        }

        public Options withCandidates(int n) {
            return new Options(quantization, n, rescoreOversample, exactSearchMaxDocs);
        }

        /** With 0, every filtered search goes through the graph. */
        public Options withExactSearchMaxDocs(int n) {
            return new Options(quantization, candidates, rescoreOversample, n);
        }
    }

    public LuceneDocumentIndex(Path root) {
        this(root, Options.DEFAULT);
    }

    public LuceneDocumentIndex(Path root, Options options) {
        this.root = root;
        this.options = options;
        maintenance.scheduleWithFixedDelay(this::compactIdle, 30, 30, TimeUnit.SECONDS);
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve("SCHEMA_VERSION"), String.valueOf(SCHEMA_VERSION));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create index directory " + root, e);
        }
    }

    /** One collection's writer and searcher. */
    private record Shard(FSDirectory directory, IndexWriter writer, SearcherManager searchers, AtomicLong lastWrite)
            implements AutoCloseable {
        void written() {
            lastWrite.set(System.nanoTime());
        }

        @Override
        public void close() throws IOException {
            searchers.close();
            writer.close();
            directory.close();
        }
    }

    private boolean dropped(String collectionId) {
        return Files.exists(root.resolve(DROPPED).resolve(collectionId));
    }

    private Shard shard(String collectionId) {
        if (!COLLECTION_ID.matcher(collectionId).matches()) throw new IllegalArgumentException("bad collection id: " + collectionId);
        if (dropped(collectionId)) throw new DroppedCollectionException(collectionId);
        return shards.computeIfAbsent(collectionId, id -> {
            try {
                FSDirectory dir = FSDirectory.open(root.resolve(id));
                IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(ANALYZER)
                        .setCodec(codec(options.quantization()))
                        // Fewer, larger flushed segments: each one costs a graph build and a merge.
                        .setRAMBufferSizeMB(RAM_BUFFER_MB)
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
                try {
                    upgrade(writer, id);
                } catch (IOException | RuntimeException e) {
                    writer.close();
                    dir.close();
                    throw e;
                }
                return new Shard(dir, writer, new SearcherManager(writer, new SearcherFactory() {
                    @Override
                    public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                        return new IndexSearcher(reader, SEGMENT_SEARCH);
                    }
                }), new AtomicLong(System.nanoTime()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open index of collection " + id, e);
            }
        });
    }

    /**
     * Brings a collection's index to {@link #SCHEMA_VERSION}: an index written by an older
     * version has every document rewritten from what it stores of it (its source and its
     * vectors), so that terms the older version did not write exist. The version is committed
     * with the rewrite, so one interrupted starts over at the next open; a new index records it
     * at once.
     */
    private static void upgrade(IndexWriter writer, String collectionId) throws IOException {
        int found = 0;
        Iterable<Map.Entry<String, String>> committed = writer.getLiveCommitData();
        if (committed != null) {
            for (Map.Entry<String, String> e : committed) if (e.getKey().equals(SCHEMA_KEY)) found = Integer.parseInt(e.getValue());
        }
        if (found == SCHEMA_VERSION) return;
        if (found > SCHEMA_VERSION) {
            throw new IllegalStateException("the index of collection " + collectionId + " has schema version " + found
                    + ", newer than this Loupe understands (" + SCHEMA_VERSION + "); upgrade Loupe");
        }
        long rewritten = 0;
        try (DirectoryReader before = DirectoryReader.open(writer)) {
            Loader loader = new Loader(new IndexSearcher(before), collectionId);
            for (LeafReaderContext leaf : before.leaves()) {
                org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
                for (int i = 0; i < leaf.reader().maxDoc(); i++) {
                    if (live != null && !live.get(i)) continue;
                    IndexedDocument d = loader.load(leaf.docBase + i);
                    String producer = before.storedFields().document(leaf.docBase + i).get(PRODUCER);
                    writer.updateDocument(new Term(ID, d.documentId()), toLucene(d, producer));
                    rewritten++;
                }
            }
        }
        writer.setLiveCommitData(Map.of(SCHEMA_KEY, String.valueOf(SCHEMA_VERSION)).entrySet());
        writer.commit();
        if (rewritten > 0) {
            LOG.info("rewrote " + rewritten + " documents of collection " + collectionId + " from schema version "
                    + (found == 0 ? "2 or older" : found) + " to " + SCHEMA_VERSION);
        }
    }

    @Override
    public void upsert(String collectionId, List<IndexedDocument> documents) {
        if (documents.isEmpty()) return;
        Shard shard = shard(collectionId);
        try {
            for (IndexedDocument d : documents) shard.writer().updateDocument(new Term(ID, d.documentId()), toLucene(d, null));
            shard.writer().commit();
            shard.written();
            shard.searchers().maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("indexing into collection " + collectionId + " failed", e);
        }
    }

    @Override
    public void replace(String collectionId, List<ProducedDocuments> produced) {
        if (produced.isEmpty()) return;
        Shard shard = shard(collectionId);
        // Under the shard's lock, as updateFields writes: an update that read a document of the old set must not write it back.
        synchronized (shard) {
            try {
                for (ProducedDocuments p : produced) {
                    BooleanQuery.Builder old = new BooleanQuery.Builder().add(new TermQuery(new Term(PRODUCER, p.producer())), BooleanClause.Occur.SHOULD);
                    for (IndexedDocument d : p.documents()) old.add(new TermQuery(new Term(ID, d.documentId())), BooleanClause.Occur.SHOULD);
                    // One call deletes and adds atomically: no reader opened in between sees the producer with no documents.
                    shard.writer().updateDocuments(old.build(), p.documents().stream().map(d -> toLucene(d, p.producer())).toList());
                }
                shard.writer().commit();
                shard.written();
                shard.searchers().maybeRefreshBlocking();
            } catch (IOException e) {
                throw new UncheckedIOException("indexing into collection " + collectionId + " failed", e);
            }
        }
    }

    @Override
    public Optional<IndexedDocument> get(String collectionId, String documentId) {
        return search(collectionId, s -> {
            TopDocs top = s.search(new TermQuery(new Term(ID, documentId)), 1);
            if (top.scoreDocs.length == 0) return Optional.empty();
            return Optional.of(new Loader(s, collectionId).load(top.scoreDocs[0].doc));
        });
    }

    @Override
    public Optional<IndexedDocument> updateFields(String collectionId, String documentId, UnaryOperator<ObjectNode> change) {
        Shard shard = shard(collectionId);
        // Read, change and write under the shard's lock: two updates at once would each write over the other's change.
        synchronized (shard) {
            Optional<IndexedDocument> current = get(collectionId, documentId);
            if (current.isEmpty()) return Optional.empty();
            IndexedDocument updated = new IndexedDocument(documentId, collectionId, change.apply(current.get().fields().deepCopy()),
                    current.get().vectors());
            String producer = search(collectionId, s -> {
                TopDocs top = s.search(new TermQuery(new Term(ID, documentId)), 1);
                return top.scoreDocs.length == 0 ? null : s.storedFields().document(top.scoreDocs[0].doc).get(PRODUCER);
            });
            try {
                shard.writer().updateDocument(new Term(ID, documentId), toLucene(updated, producer));
                shard.writer().commit();
                shard.written();
                shard.searchers().maybeRefreshBlocking();
            } catch (IOException e) {
                throw new UncheckedIOException("updating document " + documentId + " of collection " + collectionId + " failed", e);
            }
            return Optional.of(updated);
        }
    }

    @Override
    public boolean delete(String collectionId, String documentId) {
        if (get(collectionId, documentId).isEmpty()) return false;
        deleteWhere(collectionId, new TermQuery(new Term(ID, documentId)));
        return true;
    }

    /**
     * Deletes and commits under the shard's lock, the one {@link #updateFields} holds, so an
     * update that read a document before the delete cannot write it back afterwards.
     */
    private void deleteWhere(String collectionId, Query query) {
        Shard shard = shard(collectionId);
        synchronized (shard) {
            try {
                shard.writer().deleteDocuments(query);
                shard.writer().commit();
                shard.written();
                shard.searchers().maybeRefreshBlocking();
            } catch (IOException e) {
                throw new UncheckedIOException("deleting from collection " + collectionId + " failed", e);
            }
        }
    }

    @Override
    public DocumentPage list(String collectionId, FilterNode filter, List<SortKey> sort, int offset, int limit) {
        Query query = LuceneFilter.toQuery(filter);
        return search(collectionId, s -> {
            long total = s.count(query);
            if (limit == 0 || offset >= total) return new DocumentPage(List.of(), total);
            TopDocs top = s.search(query, offset + limit, sortOf(s, sort));
            Loader loader = new Loader(s, collectionId);
            List<IndexedDocument> docs = new ArrayList<>();
            for (int i = offset; i < top.scoreDocs.length; i++) docs.add(loader.load(top.scoreDocs[i].doc));
            return new DocumentPage(docs, total);
        });
    }

    @Override
    public long count(String collectionId, FilterNode filter) {
        Query query = LuceneFilter.toQuery(filter);
        return search(collectionId, s -> (long) s.count(query));
    }

    @Override
    public GroupPage group(String collectionId, GroupRequest r) {
        Query query = LuceneFilter.toQuery(r.filter());
        return search(collectionId, s -> {
            Map<GroupKey, Long> counts = new HashMap<>();
            long grouped = countGroups(s, query, r.field(), r.maxGroups(), counts);
            long nulls = s.count(both(query, new GroupKey.Null().members(r.field())));
            if (nulls > 0) counts.put(new GroupKey.Null(), nulls);
            if (counts.size() > r.maxGroups()) throw tooManyGroups(r.field(), r.maxGroups());
            SortKey first = r.sort().isEmpty() ? null : r.sort().getFirst();
            boolean descending = first != null && first.field().equals(r.field()) && first.descending();
            List<GroupKey> keys = counts.keySet().stream().sorted(GroupKey.order(descending)).toList();
            Sort sort = sortOf(s, r.sort());
            Loader loader = new Loader(s, collectionId);
            List<GroupPage.Group> page = new ArrayList<>();
            int from = Math.min(r.offset(), keys.size());
            int to = (int) Math.min(keys.size(), (long) from + r.limit());
            for (GroupKey key : keys.subList(from, to)) {
                TopDocs top = s.search(both(query, key.members(r.field())), r.perGroup(), sort);
                List<IndexedDocument> docs = new ArrayList<>();
                for (ScoreDoc sd : top.scoreDocs) docs.add(loader.load(sd.doc));
                page.add(new GroupPage.Group(key.json(docs.getFirst(), r.field()), counts.get(key), docs));
            }
            return new GroupPage(page, keys.size(), grouped + nulls);
        });
    }

    private static IllegalArgumentException tooManyGroups(String field, int maxGroups) {
        return new IllegalArgumentException("'" + field + "' has more than " + maxGroups + " distinct values among the documents; filter them first");
    }

    /**
     * Counts, into {@code counts}, the matching documents per string and number value of
     * {@code field}, read from doc values without loading the documents.
     *
     * @return how many matching documents hold at least one such value
     */
    private static long countGroups(IndexSearcher s, Query query, String field, int maxGroups, Map<GroupKey, Long> counts) throws IOException {
        Weight weight = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1);
        long grouped = 0;
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
            Scorer scorer = weight.scorer(leaf);
            if (scorer == null) continue;
            SortedSetDocValues strings = DocValues.getSortedSet(leaf.reader(), STRING + field);
            SortedNumericDocValues numbers = DocValues.getSortedNumeric(leaf.reader(), NUMBER + field);
            // Per term ordinal while scanning: the terms are looked up once per segment, not once per document.
            long[] perTerm = new long[Math.toIntExact(strings.getValueCount())];
            Bits live = leaf.reader().getLiveDocs();
            DocIdSetIterator docs = scorer.iterator();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live != null && !live.get(doc)) continue;
                boolean any = false;
                if (strings.advanceExact(doc)) {
                    any = true;
                    for (int i = 0; i < strings.docValueCount(); i++) perTerm[(int) strings.nextOrd()]++;
                }
                if (numbers.advanceExact(doc)) {
                    any = true;
                    long previous = 0;
                    for (int i = 0; i < numbers.docValueCount(); i++) {
                        long v = numbers.nextValue();
                        // Sorted, so a value an array holds twice comes twice in a row; the document counts once.
                        if (i > 0 && v == previous) continue;
                        previous = v;
                        counts.merge(new GroupKey.Number(NumericUtils.sortableLongToDouble(v)), 1L, Long::sum);
                    }
                }
                if (any) grouped++;
                if (counts.size() > maxGroups) throw tooManyGroups(field, maxGroups);
            }
            SortedSetDocValues terms = DocValues.getSortedSet(leaf.reader(), STRING + field);
            for (int ord = 0; ord < perTerm.length; ord++) {
                if (perTerm[ord] > 0) counts.merge(new GroupKey.Text(terms.lookupOrd(ord).utf8ToString()), perTerm[ord], Long::sum);
            }
            if (counts.size() > maxGroups) throw tooManyGroups(field, maxGroups);
        }
        return grouped;
    }

    private static Query both(Query a, Query b) {
        return new BooleanQuery.Builder().add(a, BooleanClause.Occur.FILTER).add(b, BooleanClause.Occur.FILTER).build();
    }

    /** A value a grouped field holds, as the index keeps it: a number, a keyword term (a string or a boolean), or null. */
    private sealed interface GroupKey {
        record Number(double value) implements GroupKey {
        }

        record Text(String value) implements GroupKey {
        }

        record Null() implements GroupKey {
        }

        /** Numbers, then terms, then null; within a kind by value, reversed when {@code descending}. */
        static Comparator<GroupKey> order(boolean descending) {
            Comparator<GroupKey> byValue = (a, b) -> switch (a) {
                case Number x -> Double.compare(x.value(), ((Number) b).value());
                case Text x -> x.value().compareTo(((Text) b).value());
                case Null x -> 0;
            };
            return Comparator.comparingInt(GroupKey::rank).thenComparing(descending ? byValue.reversed() : byValue);
        }

        private int rank() {
            return switch (this) {
                case Number n -> 0;
                case Text t -> 1;
                case Null n -> 2;
            };
        }

        /** The documents holding this value at {@code field}. */
        default Query members(String field) {
            return switch (this) {
                case Number n -> DoubleField.newExactQuery(NUMBER + field, n.value());
                case Text t -> new TermQuery(new Term(STRING + field, t.value()));
                case Null n -> new TermQuery(new Term(NULL, field));
            };
        }

        /** The value as {@code member} holds it at {@code field}: a term may be a boolean, a number an integer. */
        default JsonNode json(IndexedDocument member, String field) {
            for (JsonNode v : FilterMatcher.values(member.fields(), field)) {
                boolean same = switch (this) {
                    case Number n -> v.isNumber() && v.asDouble() == n.value();
                    case Text t -> (v.isTextual() || v.isBoolean()) && v.asText().equals(t.value());
                    case Null n -> v.isNull();
                };
                if (same) return v;
            }
            return switch (this) {
                case Number n -> DoubleNode.valueOf(n.value());
                case Text t -> TextNode.valueOf(t.value());
                case Null n -> NullNode.instance;
            };
        }
    }

    @Override
    public List<ScoredDocument> nearest(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        Query f = filter instanceof FilterNode.All ? null : LuceneFilter.toQuery(filter);
        int candidates = Math.max(k, options.candidates());
        Query knn = switch (options.quantization()) {
            case NONE -> new CountedKnnQuery(vectorField, query, candidates, f, counts);
            // Segments written as float32 are rescored too, which costs little and changes nothing.
            case INT8 -> RescoreTopNQuery.createFullPrecisionRescorerQuery(
                    new CountedKnnQuery(vectorField, query, candidates * options.rescoreOversample(), f, counts), query, vectorField, candidates);
        };
        return search(collectionId, s -> {
            Loader loader = new Loader(s, collectionId);
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

    @Override
    public List<ScoredDocument> lexical(String collectionId, List<String> fields, String text, boolean matchAll, int k, FilterNode filter) {
        Set<String> words = new LinkedHashSet<>(analyze(text));
        if (words.isEmpty()) return List.of();
        return search(collectionId, s -> {
            List<String> targets = fields.isEmpty() ? textFields(s) : fields.stream().map(f -> TEXT + f).toList();
            BooleanQuery.Builder query = new BooleanQuery.Builder();
            for (String word : words) {
                BooleanQuery.Builder inAnyField = new BooleanQuery.Builder();
                for (String f : targets) inAnyField.add(new TermQuery(new Term(f, word)), BooleanClause.Occur.SHOULD);
                query.add(inAnyField.build(), matchAll ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD);
            }
            // With a FILTER clause beside them, SHOULD clauses turn optional unless one is required.
            if (!matchAll) query.setMinimumNumberShouldMatch(1);
            if (!(filter instanceof FilterNode.All)) query.add(LuceneFilter.toQuery(filter), BooleanClause.Occur.FILTER);
            TopDocs top = s.search(query.build(), k);
            Loader loader = new Loader(s, collectionId);
            List<ScoredDocument> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) hits.add(new ScoredDocument(loader.load(sd.doc), sd.score));
            return hits;
        });
    }

    /** Every analysed text field present in the index. */
    private static List<String> textFields(IndexSearcher searcher) {
        Set<String> out = new TreeSet<>();
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            for (FieldInfo info : leaf.reader().getFieldInfos()) {
                if (info.name.startsWith(TEXT)) out.add(info.name);
            }
        }
        return List.copyOf(out);
    }

    @Override
    public void drop(String collectionId) {
        if (!COLLECTION_ID.matcher(collectionId).matches()) throw new IllegalArgumentException("bad collection id: " + collectionId);
        try {
            // The marker first: from then on no write can open the collection again.
            Files.createDirectories(root.resolve(DROPPED));
            Path marker = root.resolve(DROPPED).resolve(collectionId);
            if (!Files.exists(marker)) Files.createFile(marker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark collection " + collectionId + " dropped", e);
        }
        Shard shard = shards.remove(collectionId);
        try {
            if (shard != null) shard.close();
            Path dir = root.resolve(collectionId);
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot drop index of collection " + collectionId, e);
        }
    }

    @Override
    public long deleteMatching(String collectionId, FilterNode filter) {
        if (!COLLECTION_ID.matcher(collectionId).matches()) throw new IllegalArgumentException("bad collection id: " + collectionId);
        // Opening a shard creates its directory; a collection dropped meanwhile must not come back.
        if (!shards.containsKey(collectionId) && !Files.isDirectory(root.resolve(collectionId))) return 0;
        Query query = LuceneFilter.toQuery(filter);
        long matching = search(collectionId, s -> (long) s.count(query));
        // A buffered delete counts as a change even when it matches nothing, and would commit an empty generation.
        if (matching == 0) return 0;
        deleteWhere(collectionId, query);
        return matching;
    }

    /**
     * Merges a collection's segments into as few as its size allows (one per
     * {@value #COMPACT_SEGMENT_MB} MB), each with one graph. A nearest-neighbour search
     * visits every segment's graph, so a collection written in many batches answers several
     * times slower than the same documents in one segment. Searches and writes go on
     * meanwhile; the merged segments replace the old ones when done.
     *
     * @return whether there was anything to merge
     */
    public boolean compact(String collectionId) {
        return compact(collectionId, shard(collectionId));
    }

    private static boolean compact(String collectionId, Shard shard) {
        try {
            SegmentInfos infos = SegmentInfos.readLatestCommit(shard.directory());
            long bytes = 0;
            for (SegmentCommitInfo info : infos) bytes += info.sizeInBytes();
            int target = (int) Math.max(1, Math.ceil(bytes / (COMPACT_SEGMENT_MB * 1e6)));
            if (infos.size() <= target) return false;
            shard.writer().forceMerge(target);
            shard.writer().commit();
            shard.searchers().maybeRefreshBlocking();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("compacting collection " + collectionId + " failed", e);
        }
    }

    /** Compacts the collections that have not been written for {@link #IDLE_BEFORE_COMPACT}. */
    private void compactIdle() {
        for (Map.Entry<String, Shard> e : shards.entrySet()) {
            if (System.nanoTime() - e.getValue().lastWrite().get() < IDLE_BEFORE_COMPACT.toNanos()) continue;
            try {
                // The shard itself, not a lookup by id: a collection dropped meanwhile must not be recreated.
                if (compact(e.getKey(), e.getValue())) LOG.info("compacted the index of collection " + e.getKey());
            } catch (RuntimeException failure) {
                LOG.log(java.util.logging.Level.WARNING, "compacting the index of collection " + e.getKey() + " failed; will retry", failure);
            }
        }
    }

    @Override
    public void close() {
        maintenance.shutdownNow();
        for (Shard s : shards.values()) {
            try {
                s.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing index failed", e);
            }
        }
        shards.clear();
    }

    private static Codec codec(VectorQuantization quantization) {
        KnnVectorsFormat format = switch (quantization) {
            case NONE -> new Lucene99HnswVectorsFormat(GRAPH_MAX_CONNECTIONS, GRAPH_BEAM_WIDTH, CORES, GRAPH_MERGE);
            case INT8 -> new Lucene104HnswScalarQuantizedVectorsFormat(QuantizedByteVectorValues.ScalarEncoding.UNSIGNED_BYTE,
                    GRAPH_MAX_CONNECTIONS, GRAPH_BEAM_WIDTH, CORES, GRAPH_MERGE);
        };
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return format;
            }
        };
    }

    @FunctionalInterface
    private interface SearchWork<T> {
        T run(IndexSearcher searcher) throws IOException;
    }

    private <T> T search(String collectionId, SearchWork<T> work) {
        if (COLLECTION_ID.matcher(collectionId).matches() && dropped(collectionId)) {
            try {
                return work.run(new IndexSearcher(new org.apache.lucene.index.MultiReader()));
            } catch (IOException e) {
                throw new UncheckedIOException("searching collection " + collectionId + " failed", e);
            }
        }
        SearcherManager manager = shard(collectionId).searchers();
        try {
            IndexSearcher searcher = manager.acquire();
            try {
                return work.run(searcher);
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("searching collection " + collectionId + " failed", e);
        }
    }

    private static Sort sortOf(IndexSearcher searcher, List<SortKey> keys) throws IOException {
        List<SortField> fields = new ArrayList<>();
        for (SortKey k : keys) fields.add(sortField(searcher, k));
        fields.add(new SortField(ID, SortField.Type.STRING));
        return new Sort(fields.toArray(SortField[]::new));
    }

    private static SortField sortField(IndexSearcher searcher, SortKey key) {
        boolean numeric = false;
        for (var leaf : searcher.getIndexReader().leaves()) {
            if (leaf.reader().getFieldInfos().fieldInfo(NUMBER + key.field()) != null) {
                numeric = true;
                break;
            }
        }
        if (numeric) {
            SortField f = new SortedNumericSortField(NUMBER + key.field(), SortField.Type.DOUBLE, key.descending(),
                    key.descending() ? SortedNumericSelector.Type.MAX : SortedNumericSelector.Type.MIN);
            f.setMissingValue(key.descending() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            return f;
        }
        SortField f = new SortedSetSortField(STRING + key.field(), key.descending(),
                key.descending() ? SortedSetSelector.Type.MAX : SortedSetSelector.Type.MIN);
        f.setMissingValue(key.descending() ? SortField.STRING_FIRST : SortField.STRING_LAST);
        return f;
    }

    private static Document toLucene(IndexedDocument d, String producer) {
        Document doc = new Document();
        doc.add(new StringField(ID, d.documentId(), Field.Store.YES));
        if (producer != null) doc.add(new StringField(PRODUCER, producer, Field.Store.YES));
        doc.add(new org.apache.lucene.document.SortedDocValuesField(ID, new BytesRef(d.documentId())));
        doc.add(new StoredField(SOURCE, Json.write(d.fields()).getBytes(StandardCharsets.UTF_8)));
        for (Map.Entry<String, float[]> v : d.vectors().entrySet()) {
            doc.add(new KnnFloatVectorField(v.getKey(), v.getValue(), VectorSimilarityFunction.COSINE));
        }
        flatten(doc, "", d.fields());
        return doc;
    }

    /**
     * Indexes every value as {@link FieldPath} reaches it: objects followed, arrays at any
     * depth traversed (their first {@link FieldPath#MAX_ARRAY_ELEMENTS} elements), a presence
     * term for each path that reaches anything.
     */
    private static void flatten(Document doc, String path, JsonNode node) {
        if (node.isObject()) {
            if (!path.isEmpty()) doc.add(new StringField(HAS, path, Field.Store.NO));
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                flatten(doc, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue());
            }
            return;
        }
        doc.add(new StringField(HAS, path, Field.Store.NO));
        if (node.isArray()) elements(doc, path, node);
        else scalar(doc, path, node);
    }

    private static void elements(Document doc, String path, JsonNode array) {
        int n = 0;
        for (JsonNode item : array) {
            if (n++ >= FieldPath.MAX_ARRAY_ELEMENTS) break;
            if (item.isObject()) flatten(doc, path, item);
            else if (item.isArray()) elements(doc, path, item);
            else scalar(doc, path, item);
        }
    }

    private static void scalar(Document doc, String path, JsonNode v) {
        if (v.isNull()) {
            doc.add(new StringField(NULL, path, Field.Store.NO));
        } else if (v.isNumber()) {
            doc.add(new DoubleField(NUMBER + path, v.asDouble(), Field.Store.NO));
        } else if (v.isBoolean()) {
            doc.add(new KeywordField(STRING + path, v.asText(), Field.Store.NO));
        } else {
            String s = v.asText();
            doc.add(new KeywordField(STRING + path, FilterValues.term(s), Field.Store.NO));
            doc.add(new TextField(TEXT + path, s, Field.Store.NO));
        }
    }

    /**
     * Reads hits back: fields from {@code _source}, vectors from the vector values the graph
     * was built from, so each vector is stored once.
     */
    private static final class Loader {
        private final IndexSearcher searcher;
        private final StoredFields stored;
        private final String collectionId;

        Loader(IndexSearcher searcher, String collectionId) throws IOException {
            this.searcher = searcher;
            this.stored = searcher.storedFields();
            this.collectionId = collectionId;
        }

        IndexedDocument load(int docId) throws IOException {
            Document doc = stored.document(docId);
            BytesRef source = doc.getBinaryValue(SOURCE);
            ObjectNode fields = (ObjectNode) Json.read(new String(source.bytes, source.offset, source.length, StandardCharsets.UTF_8));
            Map<String, float[]> vectors = new LinkedHashMap<>();
            for (var f : doc.getFields()) {
                if (f.name().startsWith(VECTOR)) vectors.put(f.name().substring(VECTOR.length()), bytesToFloats(f.binaryValue()));
            }
            List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docId, leaves));
            int local = docId - leaf.docBase;
            for (FieldInfo info : leaf.reader().getFieldInfos()) {
                if (info.getVectorDimension() == 0 || info.getVectorEncoding() != VectorEncoding.FLOAT32) continue;
                FloatVectorValues values = leaf.reader().getFloatVectorValues(info.name);
                KnnVectorValues.DocIndexIterator it = values.iterator();
                if (it.advance(local) == local) vectors.put(info.name, values.vectorValue(it.index()).clone());
            }
            return new IndexedDocument(doc.get(ID), collectionId, fields, vectors);
        }
    }

    /** Lower-cased word terms of {@code text}, as the full-text fields index them ({@link Words}). */
    static List<String> analyze(String text) {
        return Words.of(text);
    }

    private static float[] bytesToFloats(BytesRef ref) {
        ByteBuffer b = ByteBuffer.wrap(ref.bytes, ref.offset, ref.length).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[ref.length / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }

}
