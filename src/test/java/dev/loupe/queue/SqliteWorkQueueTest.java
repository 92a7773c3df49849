package dev.loupe.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteWorkQueueTest {
    private static List<WorkItem.Request> requests(String task, int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new WorkItem.Request(task, "ns", "col", "obj_" + i, null)).toList();
    }

    @Test
    void taskStatusFollowsItsItems(@TempDir Path dir) throws Exception {
        try (Database db = new Database(dir.resolve("c.db"))) {
            WorkQueue q = new SqliteWorkQueue(db);
            q.enqueue(requests("t1", 3));
            assertEquals("PENDING", q.progress("t1").status());
            List<WorkItem> claimed = q.claim(2);
            assertEquals(List.of("obj_0", "obj_1"), claimed.stream().map(WorkItem::objectId).toList(), "oldest first");
            assertEquals("PROCESSING", q.progress("t1").status());
            q.complete(claimed.get(0), 1, List.of());
            q.fail(claimed.get(1), "corrupt image: premature end");
            q.complete(q.claim(5).getFirst(), 1, List.of());
            TaskProgress p = q.progress("t1");
            assertEquals("COMPLETED_WITH_ERRORS", p.status());
            assertEquals("corrupt image: premature end", p.failures().get("obj_1"));
            assertEquals(WorkItem.State.FAILED, q.latestByObject(List.of("obj_1")).get("obj_1").state());
            q.enqueue(requests("t2", 1));
            q.fail(q.claim(1).getFirst(), "x");
            assertEquals("FAILED", q.progress("t2").status());
            assertEquals("COMPLETED", q.progress("empty").status());
        }
    }

    @Test
    void runningItemsOfADeadProcessAreRecoveredAfterReopening(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.db");
        try (Database db = new Database(file)) {
            WorkQueue q = new SqliteWorkQueue(db);
            q.enqueue(requests("t", 4));
            q.complete(q.claim(1).getFirst(), 1, List.of(new WorkItem.Request("t", "ns", "downstream", "obj_0", "doc_x")));
            assertEquals(4, q.claim(10).size(), "three originals and the follow-up");
            // the process "dies" here with all four RUNNING
        }
        try (Database db = new Database(file)) {
            WorkQueue q = new SqliteWorkQueue(db);
            assertEquals(4, q.recover());
            List<WorkItem> again = q.claim(10);
            assertEquals(4, again.size());
            assertTrue(again.stream().anyMatch(i -> "doc_x".equals(i.sourceDocumentId())), "follow-ups survive too");
            assertTrue(again.stream().filter(i -> i.sourceDocumentId() == null).allMatch(i -> i.attempts() == 2), "attempts are counted");
        }
    }
}
