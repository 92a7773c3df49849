package dev.loupe.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import java.nio.file.Path;
import java.util.List;
import dev.loupe.testing.CatalogEngine;
import java.time.Clock;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class SqlWorkQueueTest {
    /** A queue of one node whose id stays the same across the test's restarts, as a configured --node-id does. */
    static SqlWorkQueue queue(Database db, int maxAttempts) {
        return new SqlWorkQueue(db, maxAttempts, "node-a", SqlWorkQueue.DEFAULT_LEASE, Clock.systemUTC());
    }

    private static List<WorkItem.Request> requests(String task, int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new WorkItem.Request(task, "ns", "col", "obj_" + i, null)).toList();
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void taskStatusFollowsItsItems(CatalogEngine engine, @TempDir Path dir) throws Exception {
        try (Database db = engine.store(dir).open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            q.enqueue(requests("t1", 3));
            assertEquals(TaskProgress.Status.PENDING, q.progress("t1").status());
            List<WorkItem> claimed = q.claim(2);
            assertEquals(List.of("obj_0", "obj_1"), claimed.stream().map(WorkItem::objectId).toList(), "oldest first");
            assertEquals(TaskProgress.Status.PROCESSING, q.progress("t1").status());
            q.complete(claimed.get(0), 1, List.of());
            q.fail(claimed.get(1), "corrupt image: premature end");
            q.complete(q.claim(5).getFirst(), 1, List.of());
            TaskProgress p = q.progress("t1");
            assertEquals(TaskProgress.Status.COMPLETED_WITH_ERRORS, p.status());
            assertEquals("corrupt image: premature end", p.failures().get("obj_1"));
            assertEquals(WorkItem.State.FAILED, q.latestByObject(List.of("obj_1")).get("obj_1").state());
            q.enqueue(requests("t2", 1));
            q.fail(q.claim(1).getFirst(), "x");
            assertEquals(TaskProgress.Status.FAILED, q.progress("t2").status());
            assertEquals(TaskProgress.Status.COMPLETED, q.progress("empty").status());
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void runningItemsOfADeadProcessAreRecoveredAfterReopening(CatalogEngine engine, @TempDir Path dir) throws Exception {
        CatalogEngine.Store file = engine.store(dir);
        try (Database db = file.open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            q.enqueue(requests("t", 4));
            q.complete(q.claim(1).getFirst(), 1, List.of(new WorkItem.Request("t", "ns", "downstream", "obj_0", "doc_x")));
            assertEquals(4, q.claim(10).size(), "three originals and the follow-up");
            // the process "dies" here with all four RUNNING
        }
        try (Database db = file.open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            assertEquals(4, q.recover());
            List<WorkItem> again = q.claim(10);
            assertEquals(4, again.size());
            assertTrue(again.stream().anyMatch(i -> "doc_x".equals(i.sourceDocumentId())), "follow-ups survive too");
            assertTrue(again.stream().filter(i -> i.sourceDocumentId() == null).allMatch(i -> i.attempts() == 2), "attempts are counted");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void anItemRunningAtEveryCrashIsGivenUpAfterMaxAttempts(CatalogEngine engine, @TempDir Path dir) throws Exception {
        CatalogEngine.Store file = engine.store(dir);
        try (Database db = file.open()) {
            queue(db, 3).enqueue(List.of(new WorkItem.Request("t", "ns", "col", "obj_killer", null),
                    new WorkItem.Request("t", "ns", "col", "obj_other", null)));
        }
        for (int start = 1; start <= 3; start++) {
            try (Database db = file.open()) {
                WorkQueue q = queue(db, 3);
                q.recover();
                List<WorkItem> claimed = q.claim(1);
                assertEquals("obj_killer", claimed.getFirst().objectId(), "start " + start + " runs it again");
                assertEquals(start, claimed.getFirst().attempts());
                // the item kills the process here, while RUNNING
            }
        }
        try (Database db = file.open()) {
            WorkQueue q = queue(db, 3);
            assertEquals(0, q.recover(), "the item that was running at every crash is not queued again");
            WorkQueue.ObjectOutcome killer = q.latestByObject(List.of("obj_killer")).get("obj_killer");
            assertEquals(WorkItem.State.FAILED, killer.state());
            assertEquals("given up after 3 attempts: the process stopped while processing it each time", killer.error());
            assertEquals(List.of("obj_other"), q.claim(5).stream().map(WorkItem::objectId).toList(), "the rest goes on");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aReleasedItemIsQueuedAgainUntilItsAttemptsRunOut(CatalogEngine engine, @TempDir Path dir) throws Exception {
        try (Database db = engine.store(dir).open()) {
            WorkQueue q = queue(db, 2);
            q.enqueue(requests("t", 1));
            q.release(q.claim(1).getFirst(), "disk full");
            assertEquals(WorkItem.State.PENDING, q.latestByObject(List.of("obj_0")).get("obj_0").state());
            WorkItem second = q.claim(1).getFirst();
            assertEquals(2, second.attempts(), "the released attempt counts");
            q.release(second, "disk full");
            WorkQueue.ObjectOutcome out = q.latestByObject(List.of("obj_0")).get("obj_0");
            assertEquals(WorkItem.State.FAILED, out.state());
            assertEquals("given up after 2 attempts: disk full", out.error());
            assertEquals(List.of(), q.claim(1));
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void claimsTakeNamespacesInTurnAndLeaveOutTheOnesAsked(CatalogEngine engine, @TempDir Path dir) throws Exception {
        try (Database db = engine.store(dir).open()) {
            WorkQueue q = queue(db, WorkQueue.DEFAULT_MAX_ATTEMPTS);
            for (int i = 0; i < 4; i++) q.enqueue(List.of(new WorkItem.Request("ta", "ns_a", "col", "a" + i, null)));
            q.enqueue(List.of(new WorkItem.Request("tb", "ns_b", "col", "b0", null), new WorkItem.Request("tb", "ns_b", "col", "b1", null)));
            assertEquals(List.of("a0", "b0", "a1"), q.claim(3).stream().map(WorkItem::objectId).toList(),
                    "a backlog in ns_a does not hold back ns_b's first item");
            assertEquals(List.of("b1"), q.claim(3, java.util.Set.of("ns_a")).stream().map(WorkItem::objectId).toList());
            assertEquals(List.of("a2", "a3"), q.claim(3).stream().map(WorkItem::objectId).toList());
        }
    }
}
