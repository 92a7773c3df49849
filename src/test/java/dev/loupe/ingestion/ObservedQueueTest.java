package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Database;
import dev.loupe.metrics.Metrics;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.WorkItem;
import dev.loupe.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What ingestion tells the log: a task's start, its progress at intervals rather than per item, its end with counts and rate. */
class ObservedQueueTest {
    private static List<WorkItem.Request> requests(String task, int n) {
        return IntStream.range(0, n).mapToObj(i -> new WorkItem.Request(task, "ns", "col_x", "obj_" + i, null)).toList();
    }

    @Test
    void progressIsLoggedAtIntervalsNotPerItemAndTheEndWithCountsAndRate(@TempDir Path dir) throws Exception {
        try (Database db = new Database(dir.resolve("c.db")); LogCapture log = LogCapture.of("dev.loupe.ingestion.tasks");
             ObservedQueue q = new ObservedQueue(new SqlWorkQueue(db), new Catalog(db), new Metrics(), Duration.ofMillis(200))) {
            q.enqueue(requests("task_a", 40));
            assertEquals("INFO task task_a started: 40 item(s) for collection col_x", log.lines().getFirst());
            for (int round = 0; round < 4; round++) {
                for (WorkItem item : q.claim(10)) {
                    if (item.objectId().equals("obj_7")) q.fail(item, "image could not be decoded: not a JPEG");
                    else q.complete(item, 1, List.of());
                }
                Thread.sleep(500);
            }
            String end = log.await(l -> l.contains("finished"), Duration.ofSeconds(5));
            assertTrue(end.matches("INFO task task_a finished COMPLETED_WITH_ERRORS: 39 done, 1 failed, 0 canceled of 40 in \\d+\\.\\d s \\(\\d+\\.\\d items/s\\)"), end);
            List<String> progress = log.lines().stream().filter(l -> l.startsWith("INFO task task_a: ")).toList();
            assertTrue(progress.size() >= 2 && progress.size() < 20, "a line per interval, not per item: " + progress);
            assertTrue(progress.getFirst().matches("INFO task task_a: \\d+/40 done, \\d failed, \\d+\\.\\d items/s, about \\d+ s left"), progress.getFirst());
            assertTrue(log.lines().contains("WARNING task task_a: object obj_7 failed in collection col_x: image could not be decoded: not a JPEG"),
                    log.lines().toString());
            Thread.sleep(700);
            assertEquals(1, log.lines().stream().filter(l -> l.contains("finished")).count(), "a finished task is logged once and no more");
        }
    }

    @Test
    void aTaskThatIsDoneBeforeTheFirstIntervalIsStillLoggedAsFinished(@TempDir Path dir) throws Exception {
        try (Database db = new Database(dir.resolve("c.db")); LogCapture log = LogCapture.of("dev.loupe.ingestion.tasks");
             ObservedQueue q = new ObservedQueue(new SqlWorkQueue(db), new Catalog(db), new Metrics(), Duration.ofMinutes(1))) {
            q.enqueue(requests("task_b", 2));
            for (WorkItem item : q.claim(10)) q.complete(item, 1, List.of());
            String end = log.await(l -> l.contains("finished"), Duration.ofSeconds(5));
            assertTrue(end.startsWith("INFO task task_b finished COMPLETED: 2 done, 0 failed, 0 canceled of 2"), end);
            assertTrue(log.lines().stream().noneMatch(l -> l.startsWith("INFO task task_b: ")), "no progress line inside the interval");
        }
    }
}
