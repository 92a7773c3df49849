package dev.loupe.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KeywordField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.search.SortedSetSortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * {@link DocumentIndex} on embedded Lucene: one index directory per collection under
 * {@code <root>/<collection_id>/}, one {@link IndexWriter} each, searched through a
 * {@link SearcherManager} refreshed after every commit.
 *
 * <h2>Schema (version {@value #SCHEMA_VERSION})</h2>
 * For each document:
 * <ul>
 *   <li>{@code _id} — the document id (indexed term, stored);</li>
 *   <li>{@code _source} — the document's JSON fields, stored, returned as they are;</li>
 *   <li>{@code v.<name>} — stored little-endian float32 bytes of each vector, and
 *       {@code <name>} — the same vector as an HNSW-indexed {@link KnnFloatVectorField} (cosine);</li>
 *   <li>for every scalar at dot path {@code p} of the JSON (array elements under the
 *       array's path): {@code s.p} — strings and booleans as keyword terms with sorted-set
 *       doc values; {@code n.p} — numbers as double points with sorted-numeric doc values;
 *       {@code t.p} — strings analysed for full-text matching;</li>
 *   <li>{@code _has} — one term per path present (and each of its parents), for {@code exists};
 *       {@code _null} — one term per path whose value is JSON null.</li>
 * </ul>
 * Strings and numbers use separate prefixes so one path may hold both kinds across
 * documents without conflicting doc-value types.
 */
public final class LuceneDocumentIndex implements DocumentIndex {
    public static final int SCHEMA_VERSION = 1;

    static final String ID = "_id";
    static final String SOURCE = "_source";
    static final String HAS = "_has";
    static final String NULL = "_null";
    static final String STRING = "s.";
    static final String NUMBER = "n.";
    static final String TEXT = "t.";
    static final String VECTOR = "v.";

    private static final int MAX_KEYWORD_CHARS = 8000;
    private static final int MAX_ARRAY_ELEMENTS = 1000;
    private static final Pattern COLLECTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Analyzer ANALYZER = new StandardAnalyzer();

    private final Path root;
    private final ConcurrentMap<String, Shard> shards = new ConcurrentHashMap<>();

    public LuceneDocumentIndex(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve("SCHEMA_VERSION"), String.valueOf(SCHEMA_VERSION));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create index directory " + root, e);
        }
    }

    /** One collection's writer and searcher. */
    private record Shard(FSDirectory directory, IndexWriter writer, SearcherManager searchers) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            searchers.close();
            writer.close();
            directory.close();
        }
    }

    private Shard shard(String collectionId) {
        if (!COLLECTION_ID.matcher(collectionId).matches()) throw new IllegalArgumentException("bad collection id: " + collectionId);
        return shards.computeIfAbsent(collectionId, id -> {
            try {
                FSDirectory dir = FSDirectory.open(root.resolve(id));
                IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(ANALYZER)
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
                return new Shard(dir, writer, new SearcherManager(writer, null));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open index of collection " + id, e);
            }
        });
    }

    @Override
    public void upsert(String collectionId, List<IndexedDocument> documents) {
        if (documents.isEmpty()) return;
        Shard shard = shard(collectionId);
        try {
            for (IndexedDocument d : documents) shard.writer().updateDocument(new Term(ID, d.documentId()), toLucene(d));
            shard.writer().commit();
            shard.searchers().maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("indexing into collection " + collectionId + " failed", e);
        }
    }

    @Override
    public Optional<IndexedDocument> get(String collectionId, String documentId) {
        return search(collectionId, s -> {
            TopDocs top = s.search(new TermQuery(new Term(ID, documentId)), 1);
            if (top.scoreDocs.length == 0) return Optional.empty();
            return Optional.of(load(s.storedFields(), top.scoreDocs[0].doc, collectionId));
        });
    }

    @Override
    public boolean delete(String collectionId, String documentId) {
        if (get(collectionId, documentId).isEmpty()) return false;
        Shard shard = shard(collectionId);
        try {
            shard.writer().deleteDocuments(new Term(ID, documentId));
            shard.writer().commit();
            shard.searchers().maybeRefreshBlocking();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("deleting from collection " + collectionId + " failed", e);
        }
    }

    @Override
    public DocumentPage list(String collectionId, FilterNode filter, List<SortKey> sort, int offset, int limit) {
        Query query = LuceneFilter.toQuery(filter);
        return search(collectionId, s -> {
            long total = s.count(query);
            if (limit == 0 || offset >= total) return new DocumentPage(List.of(), total);
            TopDocs top = s.search(query, offset + limit, sortOf(s, sort));
            StoredFields stored = s.storedFields();
            List<IndexedDocument> docs = new ArrayList<>();
            for (int i = offset; i < top.scoreDocs.length; i++) docs.add(load(stored, top.scoreDocs[i].doc, collectionId));
            return new DocumentPage(docs, total);
        });
    }

    @Override
    public long count(String collectionId, FilterNode filter) {
        Query query = LuceneFilter.toQuery(filter);
        return search(collectionId, s -> (long) s.count(query));
    }

    @Override
    public List<ScoredDocument> nearest(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        Query f = filter instanceof FilterNode.All ? null : LuceneFilter.toQuery(filter);
        return search(collectionId, s -> {
            TopDocs top = s.search(new KnnFloatVectorQuery(vectorField, query, k, f), k);
            StoredFields stored = s.storedFields();
            List<ScoredDocument> hits = new ArrayList<>(top.scoreDocs.length);
            for (ScoreDoc sd : top.scoreDocs) {
                // Lucene scores cosine as (1 + cos) / 2; report the cosine itself.
                hits.add(new ScoredDocument(load(stored, sd.doc, collectionId), 2 * sd.score - 1));
            }
            return hits;
        });
    }

    @Override
    public void drop(String collectionId) {
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
    public void close() {
        for (Shard s : shards.values()) {
            try {
                s.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing index failed", e);
            }
        }
        shards.clear();
    }

    @FunctionalInterface
    private interface SearchWork<T> {
        T run(IndexSearcher searcher) throws IOException;
    }

    private <T> T search(String collectionId, SearchWork<T> work) {
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
            SortField f = new SortedNumericSortField(NUMBER + key.field(), SortField.Type.DOUBLE, key.descending());
            f.setMissingValue(key.descending() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
            return f;
        }
        SortField f = new SortedSetSortField(STRING + key.field(), key.descending());
        f.setMissingValue(key.descending() ? SortField.STRING_FIRST : SortField.STRING_LAST);
        return f;
    }

    private static Document toLucene(IndexedDocument d) {
        Document doc = new Document();
        doc.add(new StringField(ID, d.documentId(), Field.Store.YES));
        doc.add(new org.apache.lucene.document.SortedDocValuesField(ID, new BytesRef(d.documentId())));
        doc.add(new StoredField(SOURCE, Json.write(d.fields()).getBytes(StandardCharsets.UTF_8)));
        for (Map.Entry<String, float[]> v : d.vectors().entrySet()) {
            doc.add(new KnnFloatVectorField(v.getKey(), v.getValue(), VectorSimilarityFunction.COSINE));
            doc.add(new StoredField(VECTOR + v.getKey(), floatsToBytes(v.getValue())));
        }
        flatten(doc, "", d.fields());
        return doc;
    }

    private static void flatten(Document doc, String path, JsonNode node) {
        if (node.isObject()) {
            if (!path.isEmpty()) doc.add(new StringField(HAS, path, Field.Store.NO));
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                flatten(doc, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue());
            }
            return;
        }
        doc.add(new StringField(HAS, path, Field.Store.NO));
        if (node.isArray()) {
            int n = 0;
            for (JsonNode item : node) {
                if (n++ >= MAX_ARRAY_ELEMENTS) break;
                if (item.isObject()) flatten(doc, path, item);
                else if (!item.isArray()) scalar(doc, path, item);
            }
        } else {
            scalar(doc, path, node);
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
            doc.add(new KeywordField(STRING + path, s.length() > MAX_KEYWORD_CHARS ? s.substring(0, MAX_KEYWORD_CHARS) : s, Field.Store.NO));
            doc.add(new TextField(TEXT + path, s, Field.Store.NO));
        }
    }

    private static IndexedDocument load(StoredFields stored, int docId, String collectionId) throws IOException {
        Document doc = stored.document(docId);
        BytesRef source = doc.getBinaryValue(SOURCE);
        ObjectNode fields = (ObjectNode) Json.read(new String(source.bytes, source.offset, source.length, StandardCharsets.UTF_8));
        Map<String, float[]> vectors = new LinkedHashMap<>();
        for (var f : doc.getFields()) {
            if (f.name().startsWith(VECTOR)) vectors.put(f.name().substring(VECTOR.length()), bytesToFloats(f.binaryValue()));
        }
        return new IndexedDocument(doc.get(ID), collectionId, fields, vectors);
    }

    /** Lower-cased word terms of {@code text}, as the full-text fields index them. */
    static List<String> analyze(String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = ANALYZER.tokenStream("t", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(term.toString());
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static BytesRef floatsToBytes(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return new BytesRef(b.array());
    }

    private static float[] bytesToFloats(BytesRef ref) {
        ByteBuffer b = ByteBuffer.wrap(ref.bytes, ref.offset, ref.length).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[ref.length / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }

}
