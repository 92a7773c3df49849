package dev.loupe.queue.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.WorkItem;
import dev.loupe.testing.CatalogEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** The SQL side of the Kafka queue, on both catalog engines: what the relay publishes and what a message's claim takes. */
class OutboxTest {
    private static final long LEASE_UNTIL = Long.MAX_VALUE;

    @TempDir
    Path dir;

    private static SqlWorkQueue sql(Database db, int maxAttempts) {
        return new SqlWorkQueue(db, maxAttempts, "node-a", SqlWorkQueue.DEFAULT_LEASE, Clock.systemUTC());
    }

    private static WorkItem.Request request(String object) {
        return new WorkItem.Request("t", "ns", "c", object, null);
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void anItemReleasedWhileItsMessageIsBeingPublishedIsPublishedAgain(CatalogEngine engine) {
        try (Database db = engine.store(dir).open(); SqlWorkQueue sql = sql(db, 3)) {
            Outbox outbox = new Outbox(db);
            outbox.start();
            sql.enqueue(List.of(request("obj")));
            List<Outbox.Unpublished> sending = outbox.unpublished(10);
            assertEquals(1, sending.size());
            // Before the broker's acknowledgement comes back, the item is claimed and released.
            WorkItem item = outbox.claim(sending.getFirst().dispatch().seq(), "node-a", LEASE_UNTIL, null, 3, "given up").orElseThrow();
            sql.release(item, "disk full");
            outbox.published(List.of(sending.getFirst().id()));
            List<Outbox.Unpublished> next = outbox.unpublished(10);
            assertEquals(1, next.size(), "the PENDING item needs a message of its own");
            assertEquals(item.seq(), next.getFirst().dispatch().seq());
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aMessageClaimsItsItemOnlyWhilePendingOrRunningUnderTheDeadNodeNamed(CatalogEngine engine) {
        try (Database db = engine.store(dir).open(); SqlWorkQueue sql = sql(db, 2)) {
            Outbox outbox = new Outbox(db);
            outbox.start();
            sql.enqueue(List.of(request("obj")));
            long seq = outbox.unpublished(1).getFirst().dispatch().seq();
            assertEquals(1, outbox.claim(seq, "node-a", LEASE_UNTIL, null, 2, "given up").orElseThrow().attempts());
            assertEquals(new Outbox.Row(WorkItem.State.RUNNING, "node-a", LEASE_UNTIL), outbox.rows(List.of(seq)).get(seq),
                    "the claim names its node and lease as the SQL queue's claims do");
            assertTrue(outbox.claim(seq, "node-b", LEASE_UNTIL, null, 2, "given up").isEmpty(), "running under a live node");
            assertTrue(outbox.claim(seq, "node-b", LEASE_UNTIL, "node-c", 2, "given up").isEmpty(), "another node is named dead");
            assertEquals(2, outbox.claim(seq, "node-b", LEASE_UNTIL, "node-a", 2, "given up").orElseThrow().attempts(),
                    "taken over, the attempt counted");
            assertTrue(outbox.claim(seq, "node-c", LEASE_UNTIL, "node-b", 2, "given up: both died").isEmpty(), "out of attempts");
            assertEquals("given up: both died", sql.progress("t").failures().get("obj"));
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aCatalogWhoseWorkIsDispatchedBySqlAloneKeepsNoOutboxRows(CatalogEngine engine) {
        try (Database db = engine.store(dir).open(); SqlWorkQueue sql = sql(db, 3)) {
            sql.enqueue(List.of(request("a"), request("b")));
            WorkItem first = sql.claim(1).getFirst();
            sql.release(first, "stopping");
            sql.claim(2);
            sql.recover();
            assertEquals(new dev.loupe.queue.WorkQueue.Depth(2, 0), sql.depth());
            assertEquals(0, new Outbox(db).size(), "queued, released and recovered items leave nothing that no relay would empty");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void startingDispatchPublishesWorkQueuedBeforeAndStoppingItEmptiesTheOutbox(CatalogEngine engine) {
        try (Database db = engine.store(dir).open(); SqlWorkQueue sql = sql(db, 3)) {
            Outbox outbox = new Outbox(db);
            sql.enqueue(List.of(request("before_1"), request("before_2")));
            assertEquals(2, outbox.start(), "items queued by SQL alone get their messages");
            assertEquals(0, outbox.start(), "started again (a second node, a restart): nothing is published twice");
            sql.enqueue(List.of(request("after")));
            assertEquals(List.of("before_1", "before_2", "after"),
                    outbox.unpublished(10).stream().map(u -> u.dispatch().objectId()).toList());
            assertEquals(3, Outbox.stop(db));
            sql.enqueue(List.of(request("sql_again")));
            assertEquals(0, outbox.size());
        }
    }
}
