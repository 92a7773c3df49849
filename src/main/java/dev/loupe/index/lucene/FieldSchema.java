package dev.loupe.index.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.document.FieldPath;
import dev.loupe.filter.FilterValues;
import dev.loupe.filter.Words;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.VectorQuantization;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KeywordField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.ByteBuffersDataOutput;
import org.apache.lucene.util.BytesRef;

/**
 * How a document's JSON becomes Lucene fields, and the field names that the writer, the
 * filter translation ({@link LuceneFilter}), sorting and grouping share.
 *
 * <h2>Schema (version {@value #VERSION})</h2>
 * For each document:
 * <ul>
 *   <li>{@code _id} — the document id (indexed term, stored);</li>
 *   <li>{@code _producer} — for documents written by {@code replace}, the key of what produced
 *       them (indexed term, stored), kept when the fields are rewritten;</li>
 *   <li>{@code _record} — the document id and its JSON fields, returned as they are, in one
 *       binary doc value ({@link #record}): a hit is read back without decompressing a
 *       stored-fields block, which cost more than the graph walk of a 10-hit search (the
 *       price: it is not compressed, so text-heavy documents take more disk than they did).
 *       Documents written before it have {@code _source} (the JSON, stored) instead, which is
 *       still read;</li>
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
 * ({@link #VERSION_KEY}); a collection whose index was written by an older version is
 * rewritten from its stored source and vectors when it is first opened ({@link SchemaUpgrade}).
 */
final class FieldSchema {
    /**
     * 3: values inside nested arrays are indexed under the array's path, and keyword terms are
     * cut without splitting a surrogate pair ({@link FilterValues#term}); 2 and 1 lacked both.
     */
    static final int VERSION = 3;
    /** The commit user-data key holding the schema version a collection's index was written with; absent before version 3. */
    static final String VERSION_KEY = "loupe.schema_version";

    static final String ID = "_id";
    static final String PRODUCER = "_producer";
    /** The JSON fields of documents written before {@link #RECORD}, stored. */
    static final String SOURCE = "_source";
    static final String RECORD = "_record";
    static final String HAS = "_has";
    static final String NULL = "_null";
    static final String STRING = "s.";
    static final String NUMBER = "n.";
    static final String TEXT = "t.";
    static final String VECTOR = "v.";

    /** Analyses the {@code t.} fields and lexical queries alike ({@link Words}). */
    static final Analyzer ANALYZER = Words.ANALYZER;

    private FieldSchema() {
    }

    /** The Lucene document for {@code d}, with {@code producer} (null for none) recorded. */
    static Document toLucene(IndexedDocument d, String producer) {
        Document doc = new Document();
        doc.add(new StringField(ID, d.documentId(), Field.Store.YES));
        if (producer != null) doc.add(new StringField(PRODUCER, producer, Field.Store.YES));
        doc.add(new SortedDocValuesField(ID, new BytesRef(d.documentId())));
        doc.add(new BinaryDocValuesField(RECORD, record(d)));
        for (Map.Entry<String, float[]> v : d.vectors().entrySet()) {
            doc.add(new KnnFloatVectorField(v.getKey(), v.getValue(), VectorSimilarityFunction.COSINE));
        }
        flatten(doc, "", d.fields());
        return doc;
    }

    /** {@link #RECORD}'s value: the id as a length-prefixed string, then the fields' JSON in UTF-8. */
    static BytesRef record(IndexedDocument d) {
        ByteBuffersDataOutput out = new ByteBuffersDataOutput();
        out.writeString(d.documentId());
        out.writeBytes(Json.write(d.fields()).getBytes(StandardCharsets.UTF_8));
        return new BytesRef(out.toArrayCopy());
    }

    /** Lower-cased word terms of {@code text}, as the full-text fields index them ({@link Words}). */
    static List<String> analyze(String text) {
        return Words.of(text);
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
}
