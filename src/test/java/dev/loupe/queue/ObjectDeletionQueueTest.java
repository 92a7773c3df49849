package dev.loupe.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import dev.loupe.testing.CatalogEngine;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The queue's side of deleting an object: its work is cancelled and kept out, and the intent survives a restart. */
class ObjectDeletionQueueTest {
    /** A queue of one node whose id stays the same across the test's restarts, as a configured --node-id does. */
    static SqlWorkQueue queue(Database db, int maxAttempts) {
        return new SqlWorkQueue(db, maxAttempts, "node-a", SqlWorkQueue.DEFAULT_LEASE, Clock.systemUTC());
    }

    private static final ObjectDeletion GONE = new ObjectDeletion("obj_gone", "ns", "bkt", "2026-01-01T00:00:00Z");

    private static WorkItem.Request request(String task, String object, String sourceDocument) {
        return new WorkItem.Request(task, "ns", sourceDocument == null ? "tier1" : "tier2", object, sourceDocument);
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aDeletionFailsPendingItemsAndKeepsNewOnesOut(CatalogEngine engine, @TempDir Path dir) {
        try (Database db = engine.store(dir).open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            q.enqueue(List.of(request("running", "obj_gone", null), request("pending", "obj_kept", null), request("pending", "obj_gone", null)));
            WorkItem running = q.claim(1).getFirst();
            assertEquals("obj_gone", running.objectId());

            q.recordDeletion(GONE);
            assertEquals(1, q.liveItems("obj_gone"), "the running item is still live, the pending one is cancelled");
            assertEquals(ObjectDeletion.PENDING_REASON, q.progress("pending").failures().get("obj_gone"));
            q.enqueue(List.of(request("later", "obj_gone", null)));
            assertEquals(0, q.progress("later").total(), "work for a deleted object is not queued");

            q.complete(running, 1, List.of(request("running", "obj_gone", "doc_upstream")));
            TaskProgress p = q.progress("running");
            assertEquals(0, p.done(), "an item whose object went meanwhile is not done");
            assertEquals(ObjectDeletion.RUNNING_REASON, p.failures().get("obj_gone"));
            assertEquals(1, p.total(), "and queues nothing downstream");
            assertEquals(0, q.liveItems("obj_gone"));
            assertEquals(List.of("obj_kept"), q.claim(10).stream().map(WorkItem::objectId).toList());

            assertEquals(Set.of("obj_gone"), q.deletedAmong(List.of("obj_gone", "obj_kept")));
            assertEquals(List.of(GONE), q.openDeletions(10, 0));
            q.finishDeletion("obj_gone");
            assertEquals(List.of(), q.openDeletions(10, 0));
            assertEquals(Set.of("obj_gone"), q.deletedAmong(List.of("obj_gone")), "a finished deletion still keeps work out");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void rejectedItemsCountAsFailedWithTheirReason(CatalogEngine engine, @TempDir Path dir) {
        try (Database db = engine.store(dir).open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            q.reject(List.of(request("t", "obj_a", null)), "object was deleted before the batch was submitted");
            TaskProgress p = q.progress("t");
            assertEquals(TaskProgress.Status.FAILED, p.status());
            assertEquals("object was deleted before the batch was submitted", p.failures().get("obj_a"));
            assertEquals(List.of(), q.claim(10), "a rejected item never runs");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aDeletionAndTheItemsItCutShortSurviveAProcessDeath(CatalogEngine engine, @TempDir Path dir) {
        CatalogEngine.Store file = engine.store(dir);
        try (Database db = file.open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            q.enqueue(List.of(request("t", "obj_gone", null), request("t", "obj_kept", null)));
            assertEquals(2, q.claim(10).size());
            q.recordDeletion(GONE);
            // the process dies here: both items RUNNING, the deletion open
        }
        try (Database db = file.open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            assertEquals(2, q.recover());
            assertEquals(0, q.liveItems("obj_gone"), "the deleted object's item is not run again");
            assertEquals(ObjectDeletion.RUNNING_REASON, q.progress("t").failures().get("obj_gone"));
            assertEquals(List.of("obj_kept"), q.claim(10).stream().map(WorkItem::objectId).toList());
            assertEquals(List.of(GONE), q.openDeletions(10, 0));
            assertTrue(q.deletedAmong(List.of("obj_gone")).contains("obj_gone"));
        }
    }
}
