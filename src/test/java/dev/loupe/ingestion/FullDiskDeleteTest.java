package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.StoredObject;
import dev.loupe.filter.FilterNode;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.LuceneDocumentIndex;
import dev.loupe.queue.SqlWorkQueue;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DELETE on a full disk: the catalog database is capped with {@code PRAGMA max_page_count}
 * and filled, so the deletion's record cannot be written. The delete must then fail as a
 * whole, now and after a restart, and not happen later.
 */
class FullDiskDeleteTest {
    private static final String NS = "ns_full";
    private static final String BUCKET = "bkt_full";
    private static final String COLLECTION = "col_full";

    @Test
    void aDeleteThatFailsOnAFullDiskLeavesTheObjectAndItsDocumentsForGood(@TempDir Path dir) throws Exception {
        StoredObject object;
        try (Database db = new Database(dir.resolve("catalog.db")); LuceneDocumentIndex index = new LuceneDocumentIndex(dir.resolve("index"))) {
            Catalog catalog = new Catalog(db);
            SqlWorkQueue queue = new SqlWorkQueue(db);
            catalog.insert(Kind.COLLECTION, COLLECTION, NS, null, "c", new Collection(COLLECTION, NS, "c", null,
                    new Collection.Source.Buckets(List.of(BUCKET)),
                    new Collection.ExtractorConfig("image_extractor", "v1", Json.object(), List.of(), false, Json.object()),
                    Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
            object = catalog.insert(Kind.OBJECT, "obj_kept", NS, BUCKET, null,
                    new StoredObject("obj_kept", BUCKET, NS, null, List.of(), Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
            ObjectNode fields = Json.object().put(ObjectDeletions.ROOT_OBJECT_FIELD, "obj_kept");
            index.upsert(COLLECTION, List.of(new IndexedDocument("doc_kept", COLLECTION, fields, Map.of())));
            fillUp(db);

            ObjectDeletions deletions = new ObjectDeletions(catalog, queue, index);
            RuntimeException full = assertThrows(RuntimeException.class, () -> deletions.delete(object));
            assertTrue(full.getMessage().contains("catalog transaction failed"), full.getMessage());
            assertTrue(catalog.find(Kind.OBJECT, NS, "obj_kept").isPresent(), "the object is still there");
            assertEquals(Set.of(), queue.deletedAmong(List.of("obj_kept")), "no deletion was recorded");
            assertEquals(1, index.count(COLLECTION, FilterNode.ALL));
            // Work goes on in the transactions that follow, and none of them carries the delete with it.
            catalog.insert(Kind.OBJECT, "obj_after", NS, BUCKET, null,
                    new StoredObject("obj_after", BUCKET, NS, null, List.of(), Json.object(), "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"));
            deletions.finishOpen();
            assertTrue(catalog.find(Kind.OBJECT, NS, "obj_kept").isPresent());
        }
        // A restart (room on the disk again): recovery finishes open deletions, and there is none for the object.
        try (Database db = new Database(dir.resolve("catalog.db")); LuceneDocumentIndex index = new LuceneDocumentIndex(dir.resolve("index"))) {
            Catalog catalog = new Catalog(db);
            SqlWorkQueue queue = new SqlWorkQueue(db);
            new Ingestion(catalog, queue, index, new ObjectDeletions(catalog, queue, index)).recover();
            assertTrue(catalog.find(Kind.OBJECT, NS, "obj_kept").isPresent(), "the object is still there after a restart");
            assertEquals(Set.of(), queue.deletedAmong(List.of("obj_kept")));
            assertEquals(1, index.count(COLLECTION, FilterNode.ALL), "its document is still there after a restart");
        }
    }

    /** Caps the file just above its size and fills the deletions table until a new row finds no page. */
    private static void fillUp(Database db) {
        db.inTransaction(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("PRAGMA page_count")) {
                rs.next();
                s.execute("PRAGMA max_page_count = " + (rs.getInt(1) + 2));
            }
            return null;
        });
        for (int i = 0; i < 100_000; i++) {
            int n = i;
            try {
                db.inTransaction(c -> {
                    try (var ps = c.prepareStatement("INSERT INTO object_deletions VALUES (?, ?, ?, 'DONE', ?, ?)")) {
                        ps.setString(1, "obj_filler_" + n);
                        ps.setString(2, NS);
                        ps.setString(3, "bkt_other");
                        ps.setString(4, "2026-01-01T00:00:00Z");
                        ps.setString(5, "2026-01-01T00:00:00Z");
                        ps.executeUpdate();
                    }
                    return null;
                });
            } catch (IllegalStateException e) {
                return;
            }
        }
        throw new AssertionError("the capped database never filled up");
    }
}
