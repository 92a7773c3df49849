package dev.loupe.queue.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import dev.loupe.queue.SqliteWorkQueue;
import dev.loupe.queue.WorkItem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQL side of the Kafka queue: what the relay publishes and what a message's claim takes. */
class OutboxTest {
    @TempDir
    Path dir;

    @Test
    void anItemReleasedWhileItsMessageIsBeingPublishedIsPublishedAgain() {
        try (Database db = new Database(dir.resolve("catalog.db"))) {
            SqliteWorkQueue sql = new SqliteWorkQueue(db);
            Outbox outbox = new Outbox(db);
            sql.enqueue(List.of(new WorkItem.Request("t", "ns", "c", "obj", null)));
            List<Outbox.Unpublished> sending = outbox.unpublished(10);
            assertEquals(1, sending.size());
            // Before the broker's acknowledgement comes back, the item is claimed and released.
            WorkItem item = outbox.claim(sending.getFirst().dispatch().seq(), "node-a", null, 3, "given up").orElseThrow();
            sql.release(item, "disk full");
            outbox.published(List.of(sending.getFirst().id()));
            List<Outbox.Unpublished> next = outbox.unpublished(10);
            assertEquals(1, next.size(), "the PENDING item needs a message of its own");
            assertEquals(item.seq(), next.getFirst().dispatch().seq());
        }
    }

    @Test
    void aMessageClaimsItsItemOnlyWhilePendingOrRunningUnderTheDeadInstanceNamed() {
        try (Database db = new Database(dir.resolve("catalog.db"))) {
            SqliteWorkQueue sql = new SqliteWorkQueue(db, 2);
            Outbox outbox = new Outbox(db);
            sql.enqueue(List.of(new WorkItem.Request("t", "ns", "c", "obj", null)));
            long seq = outbox.unpublished(1).getFirst().dispatch().seq();
            assertEquals(1, outbox.claim(seq, "node-a", null, 2, "given up").orElseThrow().attempts());
            assertTrue(outbox.claim(seq, "node-b", null, 2, "given up").isEmpty(), "running under a live instance");
            assertTrue(outbox.claim(seq, "node-b", "node-c", 2, "given up").isEmpty(), "another instance is named dead");
            assertEquals(2, outbox.claim(seq, "node-b", "node-a", 2, "given up").orElseThrow().attempts(), "taken over, the attempt counted");
            assertTrue(outbox.claim(seq, "node-c", "node-b", 2, "given up: both died").isEmpty(), "out of attempts");
            assertEquals("given up: both died", sql.progress("t").failures().get("obj"));
        }
    }
}
