package dev.loupe.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.testing.ManualClock;
import dev.loupe.testing.engines.Postgres;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Several Loupe nodes sharing one PostgreSQL queue: each a pool and a node id of its own. */
class SharedQueueTest {
    private static final Duration LEASE = Duration.ofMinutes(5);

    private static List<WorkItem.Request> requests(String namespace, int n) {
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> new WorkItem.Request("t", namespace, "col", namespace + "_obj_" + i, null)).toList();
    }

    @Test
    void nodesClaimingAtOnceNeverGetTheSameItem() throws Exception {
        PostgresOptions options = Postgres.shared().freshDatabase(8);
        int nodes = 4;
        int threadsPerNode = 4;
        int items = 600;
        List<Database> dbs = new ArrayList<>();
        List<SqlWorkQueue> queues = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            Database db = Database.postgres(options);
            dbs.add(db);
            queues.add(new SqlWorkQueue(db, 3, "node-" + n, LEASE, Clock.systemUTC()));
        }
        queues.getFirst().enqueue(requests("ns_a", items / 2));
        queues.getFirst().enqueue(requests("ns_b", items / 2));
        ConcurrentLinkedQueue<Long> claimed = new ConcurrentLinkedQueue<>();
        CyclicBarrier start = new CyclicBarrier(nodes * threadsPerNode);
        ExecutorService threads = Executors.newFixedThreadPool(nodes * threadsPerNode);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (SqlWorkQueue q : queues) {
                for (int t = 0; t < threadsPerNode; t++) {
                    done.add(threads.submit(() -> {
                        start.await();
                        while (true) {
                            List<WorkItem> got = q.claim(7);
                            if (got.isEmpty()) return null;
                            for (WorkItem i : got) claimed.add(i.seq());
                        }
                    }));
                }
            }
            for (Future<?> f : done) f.get();
        } finally {
            threads.shutdownNow();
        }
        assertEquals(items, claimed.size(), "every item is claimed once, none twice");
        assertEquals(items, new HashSet<>(claimed).size());
        assertEquals(new WorkQueue.Depth(0, items), queues.get(1).depth());
        for (SqlWorkQueue q : queues) q.close();
        for (Database db : dbs) db.close();
    }

    @Test
    void recoveringOneNodeLeavesAnotherNodesLiveItemsAlone() {
        PostgresOptions options = Postgres.shared().freshDatabase();
        ManualClock clock = new ManualClock();
        try (Database a = Database.postgres(options); Database b = Database.postgres(options);
             SqlWorkQueue nodeA = new SqlWorkQueue(a, 3, "node-a", LEASE, clock); SqlWorkQueue nodeB = new SqlWorkQueue(b, 3, "node-b", LEASE, clock)) {
            nodeA.enqueue(requests("ns", 4));
            List<WorkItem> running = nodeA.claim(3);
            assertEquals(1, nodeB.claim(1).size(), "node B runs the fourth");
            // node B restarts (same node id): it takes back its own item, not node A's three
            assertEquals(1, nodeB.recover());
            assertEquals(new WorkQueue.Depth(1, 3), nodeB.depth());
            nodeA.complete(running.getFirst(), 1, List.of());
            assertEquals(WorkItem.State.DONE, nodeA.latestByObject(List.of(running.getFirst().objectId())).get(running.getFirst().objectId()).state(),
                    "node A still owns and completes its items");
        }
    }

    @Test
    void anItemWhoseLeaseRanOutIsTakenBackByAnotherNode() {
        PostgresOptions options = Postgres.shared().freshDatabase();
        ManualClock clock = new ManualClock();
        try (Database a = Database.postgres(options); Database b = Database.postgres(options);
             SqlWorkQueue nodeA = new SqlWorkQueue(a, 3, "node-a", LEASE, clock); SqlWorkQueue nodeB = new SqlWorkQueue(b, 3, "node-b", LEASE, clock)) {
            nodeA.enqueue(requests("ns", 2));
            List<WorkItem> lost = nodeA.claim(2);
            clock.advance(Duration.ofMillis(LEASE.toMillis() - 1));
            assertEquals(List.of(), nodeB.claim(5), "within its lease an item stays node A's");
            assertEquals(2, nodeA.renewLeases(), "a live node renews its leases");
            clock.advance(Duration.ofMillis(LEASE.toMillis() - 1));
            assertEquals(List.of(), nodeB.claim(5), "a renewed lease holds");
            // node A dies: nobody renews, and the lease runs out
            clock.advance(Duration.ofMillis(2));
            List<WorkItem> again = nodeB.claim(5);
            assertEquals(Set.of(lost.get(0).seq(), lost.get(1).seq()), Set.of(again.get(0).seq(), again.get(1).seq()));
            assertTrue(again.stream().allMatch(i -> i.attempts() == 2), "the lost attempt counts");
            nodeA.complete(lost.getFirst(), 1, List.of(new WorkItem.Request("t", "ns", "down", "x", "doc")));
            assertEquals(new WorkQueue.Depth(0, 2), nodeB.depth(), "the late node A neither completes node B's item nor queues its follow-ups");
            nodeB.complete(again.getFirst(), 1, List.of());
            assertEquals(1, nodeB.progress("t").done());
        }
    }
}
