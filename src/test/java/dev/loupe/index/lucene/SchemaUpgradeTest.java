package dev.loupe.index.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.index.IndexedDocument;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoubleField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KeywordField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A collection's index written by an older schema is rewritten from what it stores when it is opened. */
class SchemaUpgradeTest {
    private static final String COL = "col_old";

    @TempDir
    Path root;

    @Test
    void anIndexOfSchemaTwoIsRewrittenFromItsStoredSourceAndVectorsWhenOpened() throws IOException {
        writeAsSchemaTwo(Map.of());
        long generation;
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(root)) {
            assertEquals(List.of("doc_nested"), ids(index, "{\"nested\": 1}"), "a value inside a nested array, which schema 2 did not index");
            assertEquals(List.of("doc_nested"), ids(index, "{\"tags\": \"blue\"}"));
            assertEquals(List.of("doc_flat"), ids(index, "{\"nested\": 3}"));
            assertEquals(List.of("doc_flat", "doc_nested"), ids(index, "{}"));
            assertArrayEquals(new float[] {1, 0, 0, 0}, index.get(COL, "doc_nested").orElseThrow().vectors().get("emb"));
            assertEquals("doc_flat", index.nearest(COL, "emb", new float[] {0, 1, 0, 0}, 1, FilterNode.ALL).getFirst().document().documentId());
            assertEquals("{\"nested\":[[1,2]],\"tags\":[[\"red\",\"blue\"]],\"brand\":\"Acme\"}",
                    Json.write(index.get(COL, "doc_nested").orElseThrow().fields()), "the source is kept as it was");
        }
        try (FSDirectory dir = FSDirectory.open(root.resolve(COL))) {
            SegmentInfos commit = SegmentInfos.readLatestCommit(dir);
            assertEquals(String.valueOf(FieldSchema.VERSION), commit.getUserData().get(FieldSchema.VERSION_KEY));
            generation = commit.getGeneration();
        }
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(root)) {
            assertEquals(List.of("doc_nested"), ids(index, "{\"nested\": 2}"));
        }
        try (FSDirectory dir = FSDirectory.open(root.resolve(COL))) {
            assertEquals(generation, SegmentInfos.readLatestCommit(dir).getGeneration(), "an index of this version is not rewritten again");
        }
    }

    @Test
    void documentsStoredBeforeTheRecordDocValueAreReadBesideNewOnesWithoutARewrite() throws IOException {
        // schema 3 as it was written before _record: the id and the JSON in stored fields
        writeAsSchemaTwo(Map.of(FieldSchema.VERSION_KEY, String.valueOf(FieldSchema.VERSION)));
        long generation;
        try (FSDirectory dir = FSDirectory.open(root.resolve(COL))) {
            generation = SegmentInfos.readLatestCommit(dir).getGeneration();
        }
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(root)) {
            assertEquals("{\"nested\":[3]}", Json.write(index.get(COL, "doc_flat").orElseThrow().fields()));
            try (FSDirectory dir = FSDirectory.open(root.resolve(COL))) {
                assertEquals(generation, SegmentInfos.readLatestCommit(dir).getGeneration(), "nothing was rewritten to read them");
            }
            index.upsert(COL, List.of(new IndexedDocument("doc_new", COL, (com.fasterxml.jackson.databind.node.ObjectNode) Json.read("{\"brand\": \"Zed\"}"),
                    Map.of("emb", new float[] {0, 0, 1, 0}))));
            index.compact(COL); // old and new documents in one merged segment
            for (int pass = 0; pass < 2; pass++) {
                assertEquals("doc_flat", index.nearest(COL, "emb", new float[] {0, 1, 0, 0}, 1, FilterNode.ALL).getFirst().document().documentId());
                IndexedDocument fresh = index.nearest(COL, "emb", new float[] {0, 0, 1, 0}, 1, FilterNode.ALL).getFirst().document();
                assertEquals("doc_new", fresh.documentId());
                assertEquals("{\"brand\":\"Zed\"}", Json.write(fresh.fields()));
                assertArrayEquals(new float[] {0, 0, 1, 0}, fresh.vectors().get("emb"));
                assertEquals("{\"nested\":[[1,2]],\"tags\":[[\"red\",\"blue\"]],\"brand\":\"Acme\"}",
                        Json.write(index.get(COL, "doc_nested").orElseThrow().fields()));
                assertEquals(List.of("doc_flat", "doc_nested", "doc_new"), ids(index, "{}"));
            }
        }
    }

    @Test
    void anIndexOfANewerSchemaIsRefusedRatherThanRewritten() throws IOException {
        writeAsSchemaTwo(Map.of(FieldSchema.VERSION_KEY, String.valueOf(FieldSchema.VERSION + 1)));
        try (LuceneDocumentIndex index = new LuceneDocumentIndex(root)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> index.count(COL, FilterNode.ALL));
            assertTrue(e.getMessage().contains("schema version " + (FieldSchema.VERSION + 1) + ", newer than this Loupe understands"),
                    e.getMessage());
        }
    }

    private static List<String> ids(LuceneDocumentIndex index, String filter) {
        return index.list(COL, FilterParser.parseStatic(Json.read(filter), "filters"), List.of(), 0, 10).documents().stream()
                .map(IndexedDocument::documentId).sorted().toList();
    }

    /**
     * Two documents as schema 2 wrote them: no version in the commit, and nothing indexed for
     * the values inside a nested array (only the array's presence term).
     */
    private void writeAsSchemaTwo(Map<String, String> commitData) throws IOException {
        Files.writeString(root.resolve("SCHEMA_VERSION"), "2");
        try (FSDirectory dir = FSDirectory.open(root.resolve(COL));
             IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig())) {
            Document nested = document("doc_nested", "{\"nested\": [[1, 2]], \"tags\": [[\"red\", \"blue\"]], \"brand\": \"Acme\"}",
                    new float[] {1, 0, 0, 0});
            nested.add(new StringField(FieldSchema.HAS, "nested", Field.Store.NO));
            nested.add(new StringField(FieldSchema.HAS, "tags", Field.Store.NO));
            nested.add(new StringField(FieldSchema.HAS, "brand", Field.Store.NO));
            nested.add(new KeywordField(FieldSchema.STRING + "brand", "Acme", Field.Store.NO));
            writer.addDocument(nested);
            Document flat = document("doc_flat", "{\"nested\": [3]}", new float[] {0, 1, 0, 0});
            flat.add(new StringField(FieldSchema.HAS, "nested", Field.Store.NO));
            flat.add(new DoubleField(FieldSchema.NUMBER + "nested", 3, Field.Store.NO));
            writer.addDocument(flat);
            if (!commitData.isEmpty()) writer.setLiveCommitData(commitData.entrySet());
            writer.commit();
        }
    }

    private static Document document(String id, String source, float[] vector) {
        Document doc = new Document();
        doc.add(new StringField(FieldSchema.ID, id, Field.Store.YES));
        doc.add(new SortedDocValuesField(FieldSchema.ID, new BytesRef(id)));
        doc.add(new StoredField(FieldSchema.SOURCE, Json.write(Json.read(source)).getBytes(StandardCharsets.UTF_8)));
        doc.add(new KnnFloatVectorField("emb", vector, VectorSimilarityFunction.COSINE));
        return doc;
    }
}
