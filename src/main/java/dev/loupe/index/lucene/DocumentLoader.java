package dev.loupe.index.lucene;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.index.IndexedDocument;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.util.BytesRef;

/**
 * Reads hits back: the id and fields from the {@code _record} doc value (or, for documents
 * written before it, from the stored {@code _id} and {@code _source}), vectors from the vector
 * values the graph was built from, so each vector is stored once. One per search: it reads
 * through that search's searcher.
 */
final class DocumentLoader {
    private final IndexSearcher searcher;
    private final StoredFields stored;
    private final String collectionId;

    DocumentLoader(IndexSearcher searcher, String collectionId) throws IOException {
        this.searcher = searcher;
        this.stored = searcher.storedFields();
        this.collectionId = collectionId;
    }

    IndexedDocument load(int docId) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docId, leaves));
        int local = docId - leaf.docBase;
        Map<String, float[]> vectors = new LinkedHashMap<>();
        String id;
        ObjectNode fields;
        BinaryDocValues records = leaf.reader().getBinaryDocValues(FieldSchema.RECORD);
        if (records != null && records.advanceExact(local)) {
            BytesRef record = records.binaryValue();
            ByteArrayDataInput in = new ByteArrayDataInput(record.bytes, record.offset, record.length);
            id = in.readString();
            fields = (ObjectNode) Json.read(new String(record.bytes, in.getPosition(), record.offset + record.length - in.getPosition(), StandardCharsets.UTF_8));
        } else {
            Document doc = stored.document(docId);
            BytesRef source = doc.getBinaryValue(FieldSchema.SOURCE);
            id = doc.get(FieldSchema.ID);
            fields = (ObjectNode) Json.read(new String(source.bytes, source.offset, source.length, StandardCharsets.UTF_8));
            for (var f : doc.getFields()) {
                if (f.name().startsWith(FieldSchema.VECTOR)) vectors.put(f.name().substring(FieldSchema.VECTOR.length()), bytesToFloats(f.binaryValue()));
            }
        }
        for (FieldInfo info : leaf.reader().getFieldInfos()) {
            if (info.getVectorDimension() == 0 || info.getVectorEncoding() != VectorEncoding.FLOAT32) continue;
            FloatVectorValues values = leaf.reader().getFloatVectorValues(info.name);
            KnnVectorValues.DocIndexIterator it = values.iterator();
            if (it.advance(local) == local) vectors.put(info.name, values.vectorValue(it.index()).clone());
        }
        return new IndexedDocument(id, collectionId, fields, vectors);
    }

    /** The key of what produced the document, or null when it was written without one. */
    String producer(int docId) throws IOException {
        return stored.document(docId).get(FieldSchema.PRODUCER);
    }

    private static float[] bytesToFloats(BytesRef ref) {
        ByteBuffer b = ByteBuffer.wrap(ref.bytes, ref.offset, ref.length).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[ref.length / Float.BYTES];
        b.asFloatBuffer().get(out);
        return out;
    }
}
