package dev.loupe.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.LoupeException;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import dev.loupe.testing.CatalogEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The catalog's behaviour, the same on SQLite and on PostgreSQL. */
class CatalogEnginesTest {
    private static Bucket bucket(String id, String ns, String name) {
        return new Bucket(id, ns, name, "d", null, null, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void resourcesAreFoundByIdOrNameAndListedInCreationOrder(CatalogEngine engine, @TempDir Path dir) {
        try (Database db = engine.store(dir).open()) {
            Catalog catalog = new Catalog(db);
            for (int i = 0; i < 5; i++) catalog.insert(Kind.BUCKET, "bkt_" + i, "ns_1", null, "b" + i, bucket("bkt_" + i, "ns_1", "b" + i));
            catalog.insert(Kind.BUCKET, "bkt_other", "ns_2", null, "b0", bucket("bkt_other", "ns_2", "b0"));
            assertEquals("bkt_3", catalog.require(Kind.BUCKET, "ns_1", "b3").bucketId());
            assertEquals("b3", catalog.require(Kind.BUCKET, "ns_1", "bkt_3").bucketName());
            assertFalse(catalog.find(Kind.BUCKET, "ns_2", "bkt_3").isPresent(), "another namespace's bucket is not found");
            assertEquals(List.of("bkt_2", "bkt_3"), catalog.list(Kind.BUCKET, "ns_1", null, 2, 2).stream().map(Bucket::bucketId).toList());
            assertEquals(5, catalog.count(Kind.BUCKET, "ns_1", null));
            List<String> scanned = new ArrayList<>();
            catalog.scan(Kind.BUCKET, "ns_1", null, 2, chunk -> chunk.forEach(b -> scanned.add(b.bucketId())));
            assertEquals(List.of("bkt_0", "bkt_1", "bkt_2", "bkt_3", "bkt_4"), scanned);
            boolean deleted = db.inTransaction(c -> catalog.delete(c, Kind.BUCKET, "bkt_4"));
            assertTrue(deleted);
            assertEquals(4, catalog.count(Kind.BUCKET, "ns_1", null));
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aTakenNameIsAConflictOnInsertAndOnRename(CatalogEngine engine, @TempDir Path dir) {
        try (Database db = engine.store(dir).open()) {
            Catalog catalog = new Catalog(db);
            catalog.insert(Kind.BUCKET, "bkt_a", "ns_1", null, "photos", bucket("bkt_a", "ns_1", "photos"));
            catalog.insert(Kind.BUCKET, "bkt_b", "ns_1", null, "videos", bucket("bkt_b", "ns_1", "videos"));
            assertThrows(LoupeException.Conflict.class,
                    () -> catalog.insert(Kind.BUCKET, "bkt_c", "ns_1", null, "photos", bucket("bkt_c", "ns_1", "photos")));
            assertThrows(LoupeException.Conflict.class, () -> catalog.update(Kind.BUCKET, "bkt_b", "photos", bucket("bkt_b", "ns_1", "photos")));
            assertEquals("videos", catalog.require(Kind.BUCKET, "ns_1", "bkt_b").bucketName(), "the refused rename changed nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aNestedTransactionJoinsTheOuterOneAndRollsBackWithIt(CatalogEngine engine, @TempDir Path dir) {
        try (Database db = engine.store(dir).open()) {
            Catalog catalog = new Catalog(db);
            WorkQueue queue = new SqlWorkQueue(db);
            assertThrows(IllegalStateException.class, () -> db.inTransaction(c -> {
                catalog.insert(c, Kind.BUCKET, "bkt_a", "ns_1", null, "photos", bucket("bkt_a", "ns_1", "photos"));
                queue.enqueue(List.of(new WorkItem.Request("t", "ns_1", "col", "obj_1", null)));
                throw new IllegalStateException("the submit fails after queueing");
            }));
            assertFalse(catalog.find(Kind.BUCKET, "ns_1", "photos").isPresent());
            assertEquals(0, queue.progress("t").total(), "the queued work went with the catalog change");
        }
    }
}
