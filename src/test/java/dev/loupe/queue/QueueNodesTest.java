package dev.loupe.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import dev.loupe.queue.QueueNodes.Dispatch;
import dev.loupe.testing.CatalogEngine;
import dev.loupe.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nodes of one shared catalog run with one --queue: a node with the other is refused, and a switch works once all have stopped. */
class QueueNodesTest {
    private static final Duration LEASE = Duration.ofHours(1);
    private final ManualClock clock = new ManualClock();

    private QueueNodes join(Database db, String node, Dispatch dispatch) {
        return QueueNodes.join(db, node, dispatch, LEASE, clock);
    }

    @Test
    void aNodeWithTheOtherQueueSettingIsRefusedNamingBothSettingsAndTheRunningNode(@TempDir Path dir) {
        try (Database db = CatalogEngine.POSTGRES.store(dir).open(); QueueNodes kafka = join(db, "node-k", Dispatch.KAFKA)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> join(db, "node-s", Dispatch.SQL));
            assertTrue(e.getMessage().contains("this node starts with --queue sql, but node node-k on this catalog runs with --queue kafka"),
                    e.getMessage());
            try (QueueNodes second = join(db, "node-k2", Dispatch.KAFKA)) {
                assertEquals(2, count(db), "nodes with the same setting run together");
            }
        }
    }

    @Test
    void nodesSwitchTheirSettingOnceEveryNodeHasStopped(@TempDir Path dir) {
        try (Database db = CatalogEngine.POSTGRES.store(dir).open()) {
            join(db, "node-a", Dispatch.SQL).close();
            join(db, "node-b", Dispatch.SQL).close();
            try (QueueNodes a = join(db, "node-a", Dispatch.KAFKA)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> join(db, "node-b", Dispatch.SQL));
                assertTrue(e.getMessage().contains("--queue kafka"), e.getMessage());
            }
        }
    }

    @Test
    void aKilledNodeStopsCountingOnceItsLeaseRanOut(@TempDir Path dir) {
        try (Database db = CatalogEngine.POSTGRES.store(dir).open()) {
            QueueNodes killed = join(db, "node-k", Dispatch.KAFKA); // never closed: killed -9
            assertThrows(IllegalStateException.class, () -> join(db, "node-s", Dispatch.SQL));
            clock.advance(LEASE.plusSeconds(1));
            try (QueueNodes s = join(db, "node-s", Dispatch.SQL)) {
                assertEquals(1, count(db), "the lapsed entry is gone");
            }
        }
    }

    @Test
    void aRestartedNodeMayChangeItsOwnSetting(@TempDir Path dir) {
        try (Database db = CatalogEngine.POSTGRES.store(dir).open()) {
            join(db, "node-a", Dispatch.KAFKA); // killed, restarted at once with the other setting and the same --node-id
            try (QueueNodes again = join(db, "node-a", Dispatch.SQL)) {
                assertEquals(1, count(db));
            }
        }
    }

    @Test
    void oneSqliteFileHasOneNodeAndRecordsNothing(@TempDir Path dir) {
        try (Database db = CatalogEngine.SQLITE.store(dir).open(); QueueNodes one = join(db, "node-a", Dispatch.KAFKA)) {
            assertEquals(0, count(db));
        }
    }

    private static int count(Database db) {
        return db.inTransaction(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT count(*) FROM catalog_nodes")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }
}
