package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.LuceneDocumentIndex;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ObjectDeletions} against the real catalog, queue and index, with the worker's
 * part played by hand so that a write can be placed exactly where a race would put it.
 */
class ObjectDeletionsTest {
    private static final String NS = "ns_test";
    private static final String BUCKET = "bkt_test";
    private static final String TIER1 = "col_tier1";
    private static final String TIER2 = "col_tier2";

    @TempDir
    Path dir;
    private Database db;
    private Catalog catalog;
    private WorkQueue queue;
    private LuceneDocumentIndex index;
    private ObjectDeletions deletions;

    @BeforeEach
    void open() throws Exception {
        db = new Database(dir.resolve("catalog.db"));
        catalog = new Catalog(db);
        queue = new SqlWorkQueue(db);
        index = new LuceneDocumentIndex(dir.resolve("index"));
        deletions = new ObjectDeletions(catalog, queue, index);
        // Tier 2 is listed before its source: finding it takes following sources, not one pass in creation order.
        db.inTransaction(c -> {
            catalog.insert(c, Kind.COLLECTION, TIER2, NS, null, "tier2", collection(TIER2, new Collection.Source.Upstream(TIER1)));
            catalog.insert(c, Kind.COLLECTION, TIER1, NS, null, "tier1", collection(TIER1, new Collection.Source.Buckets(List.of(BUCKET))));
            return null;
        });
    }

    @AfterEach
    void close() {
        index.close();
        db.close();
    }

    private static Collection collection(String id, Collection.Source source) {
        return new Collection(id, NS, id, null, source, new Collection.ExtractorConfig("image_extractor", "v1", Json.object(), List.of(), false, Json.object()),
                Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
    }

    private StoredObject object(String id) {
        StoredObject o = new StoredObject(id, BUCKET, NS, null, List.of(), Json.object().put("n", 1), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        return catalog.insert(Kind.OBJECT, id, NS, BUCKET, null, o);
    }

    /** What the worker writes for an object: its document in one tier. */
    private void indexDocument(String collectionId, String objectId) {
        ObjectNode f = Json.object().put("root_object_id", objectId);
        index.upsert(collectionId, List.of(new IndexedDocument(DocumentIds.of(collectionId, objectId, null, 0), collectionId, f,
                Map.of("emb", new float[] {1, 0}))));
    }

    private long documentsOf(String collectionId, String objectId) {
        return index.count(collectionId, new FilterNode.Condition("root_object_id", FilterNode.Operator.EQ, TextNode.valueOf(objectId)));
    }

    @Test
    void removesTheDocumentsOfEveryTierAndIsDoneAtOnceWhenNothingIsInFlight() {
        StoredObject gone = object("obj_gone");
        object("obj_kept");
        for (String c : List.of(TIER1, TIER2)) {
            indexDocument(c, "obj_gone");
            indexDocument(c, "obj_kept");
        }
        deletions.delete(gone);
        assertTrue(catalog.find(Kind.OBJECT, NS, "obj_gone").isEmpty());
        for (String c : List.of(TIER1, TIER2)) {
            assertEquals(0, documentsOf(c, "obj_gone"), c);
            assertEquals(1, documentsOf(c, "obj_kept"), c);
        }
        assertEquals(List.of(), queue.openDeletions(10, 0));
    }

    @Test
    void aWriteByAnItemInFlightIsRemovedOnceTheItemSettles() {
        StoredObject gone = object("obj_gone");
        queue.enqueue(List.of(new WorkItem.Request("task", NS, TIER1, "obj_gone", null)));
        WorkItem running = queue.claim(1).getFirst();

        deletions.delete(gone);
        assertEquals(1, queue.openDeletions(10, 0).size(), "open while an item for the object runs");
        // The worker's check for deleted objects ran before the delete; its write lands after the removal.
        indexDocument(TIER1, "obj_gone");
        queue.complete(running, 1, List.of(new WorkItem.Request("task", NS, TIER2, "obj_gone", "doc_x")));
        assertEquals(ObjectDeletion.RUNNING_REASON, queue.progress("task").failures().get("obj_gone"));
        assertEquals(1, queue.progress("task").total(), "nothing queued downstream");
        assertEquals(1, documentsOf(TIER1, "obj_gone"));

        assertEquals(1, deletions.finishOpen());
        assertEquals(0, documentsOf(TIER1, "obj_gone"));
        assertEquals(List.of(), queue.openDeletions(10, 0));
    }

    @Test
    void deletionsStillWaitingDoNotHoldBackTheOnesBehindThem() {
        List<WorkItem.Request> work = new ArrayList<>();
        List<StoredObject> waiting = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            waiting.add(object("obj_waiting_" + i));
            work.add(new WorkItem.Request("task", NS, TIER1, "obj_waiting_" + i, null));
        }
        queue.enqueue(work);
        assertEquals(150, queue.claim(1000).size());
        for (StoredObject o : waiting) deletions.delete(o);
        StoredObject last = object("obj_last");
        // Recorded without its removal, as a process killed after the commit leaves it.
        deletions.record(last);
        indexDocument(TIER2, "obj_last");

        assertEquals(1, deletions.finishOpen());
        assertEquals(0, documentsOf(TIER2, "obj_last"));
        assertEquals(150, queue.openDeletions(1000, 0).size());
    }
}
