package dev.loupe.queue.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.catalog.Database;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import dev.loupe.testing.CatalogEngine;
import dev.loupe.testing.engines.KafkaCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KafkaWorkQueue} over the SQL queue's state (SQLite and PostgreSQL) and a 3-node Kafka
 * cluster (separate JVMs). Each test has its own topic and consumer group, so tests do not see
 * each other's messages. A node is a {@link SqlWorkQueue} with a node id of its own.
 */
class KafkaWorkQueueTest {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static KafkaCluster cluster;
    private static Admin admin;

    @TempDir
    Path dir;

    @BeforeAll
    static void startCluster(@TempDir Path clusterDir) {
        cluster = KafkaCluster.start(clusterDir, 3);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) admin.close();
        if (cluster != null) cluster.close();
    }

    private KafkaQueueOptions fresh() {
        int n = NEXT.incrementAndGet();
        return new KafkaQueueOptions(cluster.bootstrapServers(), "work-" + n + "-" + System.nanoTime(), 6, "workers-" + n);
    }

    private static List<WorkItem.Request> items(String task, String namespace, int count) {
        List<WorkItem.Request> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(new WorkItem.Request(task, namespace, "col", "obj-" + namespace + "-" + i, null));
        return out;
    }

    /** Claims and settles items until {@code task} has none pending or running; {@code poison} items are released, the rest completed. */
    private static void work(WorkQueue q, String task, Predicate<WorkItem> poison, Map<Long, Integer> claims) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            TaskProgress p = q.progress(task);
            if (p.pending() + p.running() == 0) return;
            if (System.nanoTime() > deadline) throw new AssertionError("work did not finish: " + p);
            List<WorkItem> claimed = q.claim(4);
            if (claimed.isEmpty()) q.awaitWork(200);
            for (WorkItem item : claimed) {
                claims.merge(item.seq(), 1, Integer::sum);
                if (poison.test(item)) q.release(item, "it crashes the extractor");
                else q.complete(item, 1, List.of());
            }
        }
    }

    /** Each queue worked by a thread of its own until task {@code t} is finished; who claimed what goes in {@code claims} and {@code byNode}. */
    private static void workTogether(Map<String, WorkQueue> nodes, Map<Long, Integer> claims, Map<String, Set<Long>> byNode)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (var entry : nodes.entrySet()) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    Map<Long, Integer> mine = new ConcurrentHashMap<>();
                    work(entry.getValue(), "t", item -> false, mine);
                    mine.forEach((seq, n) -> claims.merge(seq, n, Integer::sum));
                    byNode.put(entry.getKey(), mine.keySet());
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertEquals(List.of(), errors);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not reached within 2 minutes: " + what);
            Thread.sleep(100);
        }
    }

    /** Whether the group's committed offsets reached the end of every partition of the topic. */
    private static boolean allCommitted(KafkaQueueOptions o) {
        try {
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(o.group()).partitionsToOffsetAndMetadata().get()
                    .forEach((tp, m) -> committed.put(tp, m == null ? 0 : m.offset()));
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < o.partitions(); i++) latest.put(new TopicPartition(o.topic(), i), OffsetSpec.latest());
            for (var e : admin.listOffsets(latest).all().get().entrySet()) {
                if (e.getValue().offset() > committed.getOrDefault(e.getKey(), 0L)) return false;
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Members of the group that hold partitions, once it is stable. */
    private static int assignedMembers(KafkaQueueOptions o) {
        try {
            var group = admin.describeConsumerGroups(List.of(o.group())).all().get().get(o.group());
            if (group.groupState() != org.apache.kafka.common.GroupState.STABLE) return 0;
            return (int) group.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        } catch (Exception e) {
            return 0;
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void everyItemIsClaimedOnceAndCompletedAndItsOffsetCommitted(CatalogEngine engine) throws Exception {
        KafkaQueueOptions o = fresh();
        try (Database db = engine.store(dir).open();
             KafkaWorkQueue q = new KafkaWorkQueue(new SqlWorkQueue(db), db, o)) {
            List<WorkItem.Request> batch = new ArrayList<>(items("t1", "ns-a", 15));
            batch.addAll(items("t1", "ns-b", 15));
            q.enqueue(batch);
            Map<Long, Integer> claims = new ConcurrentHashMap<>();
            work(q, "t1", item -> false, claims);
            assertEquals(30, claims.size());
            assertTrue(claims.values().stream().allMatch(n -> n == 1), "claimed more than once: " + claims);
            TaskProgress p = q.progress("t1");
            assertEquals(30, p.done(), p.toString());
            await("every offset committed", () -> allCommitted(o));
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void oneObjectsItemsAreHandedOutOneAtATimeInTheOrderTheyWereQueued(CatalogEngine engine) throws Exception {
        KafkaQueueOptions o = fresh();
        try (Database db = engine.store(dir).open();
             KafkaWorkQueue q = new KafkaWorkQueue(new SqlWorkQueue(db), db, o)) {
            List<WorkItem.Request> batch = new ArrayList<>();
            for (String collection : List.of("first", "second", "third")) batch.add(new WorkItem.Request("t", "ns", collection, "obj-1", null));
            q.enqueue(batch);
            List<String> order = new ArrayList<>();
            while (order.size() < 3) {
                List<WorkItem> claimed = q.claim(10);
                if (claimed.isEmpty()) {
                    q.awaitWork(200);
                    continue;
                }
                assertEquals(1, claimed.size(), "one item of an object at a time: " + claimed);
                order.add(claimed.getFirst().collectionId());
                q.complete(claimed.getFirst(), 1, List.of());
            }
            assertEquals(List.of("first", "second", "third"), order);
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void anItemAClosedInstanceLeftRunningIsRunByTheNextAndDoneOnce(CatalogEngine engine) throws Exception {
        KafkaQueueOptions o = fresh();
        try (Database db = engine.store(dir).open(); SqlWorkQueue sql = new SqlWorkQueue(db); SqlWorkQueue nextNode = new SqlWorkQueue(db)) {
            WorkItem taken;
            try (KafkaWorkQueue first = new KafkaWorkQueue(sql, db, o)) {
                first.enqueue(items("t", "ns", 1));
                List<WorkItem> claimed = List.of();
                while (claimed.isEmpty()) {
                    first.awaitWork(200);
                    claimed = first.claim(1);
                }
                taken = claimed.getFirst();
                assertEquals(1, taken.attempts());
                assertTrue(!allCommitted(o), "the offset of an item still running is not committed");
                // closed without completing: the process died mid-item
            }
            // The next process is a node of another id (the default id is random per process).
            try (KafkaWorkQueue second = new KafkaWorkQueue(nextNode, db, o)) {
                List<WorkItem> claimed = List.of();
                while (claimed.isEmpty()) {
                    second.awaitWork(200);
                    claimed = second.claim(1);
                }
                assertEquals(taken.seq(), claimed.getFirst().seq());
                assertEquals(2, claimed.getFirst().attempts(), "the attempt cut short counts");
                second.complete(claimed.getFirst(), 1, List.of());
                await("the redelivered offset committed", () -> allCommitted(o));
            }
            TaskProgress p = sql.progress("t");
            assertEquals(1, p.total());
            assertEquals(1, p.done());
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aPoisonItemIsTriedMaxAttemptsTimesThenFailedWhileLaterItemsFlow(CatalogEngine engine) throws Exception {
        KafkaQueueOptions o = fresh();
        try (Database db = engine.store(dir).open();
             KafkaWorkQueue q = new KafkaWorkQueue(new SqlWorkQueue(db, 3), db, o)) {
            List<WorkItem.Request> batch = new ArrayList<>(List.of(new WorkItem.Request("t", "ns", "col", "poison", null)));
            batch.addAll(items("t", "ns", 10));
            q.enqueue(batch);
            Map<Long, Integer> claims = new ConcurrentHashMap<>();
            work(q, "t", item -> item.objectId().equals("poison"), claims);
            TaskProgress p = q.progress("t");
            assertEquals(10, p.done(), p.toString());
            assertEquals(1, p.failed());
            assertTrue(p.failures().get("poison").startsWith("given up after 3 attempts"), p.failures().toString());
            long poisonSeq = claims.entrySet().stream().filter(e -> e.getValue() == 3).findFirst().orElseThrow().getKey();
            assertEquals(11, claims.size());
            assertEquals(3, claims.get(poisonSeq));
            await("the poison item's offsets passed", () -> allCommitted(o));
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void killingOneBrokerWhileItemsFlowLosesNoItem(CatalogEngine engine) throws Exception {
        KafkaQueueOptions o = fresh();
        try (Database db = engine.store(dir).open();
             KafkaWorkQueue q = new KafkaWorkQueue(new SqlWorkQueue(db), db, o)) {
            q.enqueue(items("t", "ns", 40));
            Map<Long, Integer> claims = new ConcurrentHashMap<>();
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    await("some items done", () -> q.progress("t").done() >= 10);
                    cluster.kill9(1);
                    q.enqueue(items("t", "late", 20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                work(q, "t", item -> false, claims);
                killer.join();
                work(q, "t", item -> false, claims);
            } finally {
                killer.join();
                cluster.restart(1);
            }
            TaskProgress p = q.progress("t");
            assertEquals(60, p.done(), p.toString());
            assertTrue(claims.values().stream().allMatch(n -> n == 1), "claimed more than once: " + claims);
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void twoInstancesInOneGroupShareTheWorkAndDoEachItemOnce(CatalogEngine engine) throws Exception {
        KafkaQueueOptions o = fresh();
        try (Database db = engine.store(dir).open(); SqlWorkQueue sql = new SqlWorkQueue(db); SqlWorkQueue other = new SqlWorkQueue(db)) {
            Map<Long, Integer> claims = new ConcurrentHashMap<>();
            Map<String, Set<Long>> byNode = new ConcurrentHashMap<>();
            try (KafkaWorkQueue a = new KafkaWorkQueue(sql, db, o); KafkaWorkQueue b = new KafkaWorkQueue(other, db, o)) {
                // Both in the group with partitions of their own before work arrives, or the first would take it all.
                await("both instances assigned partitions", () -> assignedMembers(o) == 2);
                List<WorkItem.Request> batch = new ArrayList<>();
                for (int i = 0; i < 6; i++) batch.addAll(items("t", "ns" + i, 10));
                a.enqueue(batch);
                workTogether(Map.of("a", a, "b", b), claims, byNode);
                await("every offset committed", () -> allCommitted(o));
            }
            assertEquals(60, claims.size());
            assertTrue(claims.values().stream().allMatch(n -> n == 1), "claimed more than once: " + claims);
            TaskProgress p = sql.progress("t");
            assertEquals(60, p.done(), p.toString());
            assertEquals(60, p.total());
            assertTrue(!byNode.get("a").isEmpty() && !byNode.get("b").isEmpty(),
                    "both instances did work: a=" + byNode.get("a").size() + " b=" + byNode.get("b").size());
        }
    }

    @Test
    void twoNodesWithPoolsOfTheirOwnOnOnePostgresDoEachItemOnceAndReportTheTaskDone() throws Exception {
        KafkaQueueOptions o = fresh();
        var store = CatalogEngine.POSTGRES.store(dir);
        Map<Long, Integer> claims = new ConcurrentHashMap<>();
        Map<String, Set<Long>> byNode = new ConcurrentHashMap<>();
        try (Database dbA = store.open(); Database dbB = store.open();
             SqlWorkQueue sqlA = new SqlWorkQueue(dbA, 3, "node-a", SqlWorkQueue.DEFAULT_LEASE, java.time.Clock.systemUTC());
             SqlWorkQueue sqlB = new SqlWorkQueue(dbB, 3, "node-b", SqlWorkQueue.DEFAULT_LEASE, java.time.Clock.systemUTC());
             KafkaWorkQueue a = new KafkaWorkQueue(sqlA, dbA, o); KafkaWorkQueue b = new KafkaWorkQueue(sqlB, dbB, o)) {
            await("both nodes assigned partitions", () -> assignedMembers(o) == 2);
            // Work queued on both nodes, so each relay publishes some of it.
            List<WorkItem.Request> batch = new ArrayList<>();
            for (int i = 0; i < 6; i++) batch.addAll(items("t", "ns" + i, 10));
            a.enqueue(batch.subList(0, 30));
            b.enqueue(batch.subList(30, 60));
            workTogether(Map.of("a", a, "b", b), claims, byNode);
            await("every offset committed", () -> allCommitted(o));
            assertEquals(0, a.recover(), "recovering a node takes nothing: neither has an item running");
            TaskProgress p = b.progress("t");
            assertEquals(new TaskProgress(0, 0, 60, 0, 0, Map.of(), TaskProgress.Tokens.NONE), p);
        }
        assertEquals(60, claims.size());
        assertTrue(claims.values().stream().allMatch(n -> n == 1), "claimed more than once: " + claims);
        assertTrue(!byNode.get("a").isEmpty() && !byNode.get("b").isEmpty(),
                "both nodes did work: a=" + byNode.get("a").size() + " b=" + byNode.get("b").size());
    }
}
