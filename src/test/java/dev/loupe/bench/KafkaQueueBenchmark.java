package dev.loupe.bench;

import dev.loupe.catalog.Database;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import dev.loupe.queue.kafka.KafkaQueueOptions;
import dev.loupe.queue.kafka.KafkaWorkQueue;
import dev.loupe.testing.engines.KafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The queue's own cost, no extractor: {@value #ITEMS} items queued in one batch, then claimed
 * 16 at a time and completed by {@value #WORKERS} threads, on the SQL queue and on the Kafka
 * queue over a 3-node local cluster; prints items per second from enqueue to the last DONE.
 *
 * <p>Run from the repository root with the test class path:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) dev.loupe.bench.KafkaQueueBenchmark}.
 */
public final class KafkaQueueBenchmark {
    private static final int ITEMS = 3000;
    private static final int WORKERS = 2;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("kafka-queue-bench");
        try (Database db = new Database(dir.resolve("sql.db"))) {
            report("sql", run(new SqlWorkQueue(db), "sql"));
        }
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("cluster"), 3);
             Database db = new Database(dir.resolve("kafka.db"));
             KafkaWorkQueue q = new KafkaWorkQueue(new SqlWorkQueue(db), db, KafkaQueueOptions.of(cluster.bootstrapServers()))) {
            run(q, "warm-up");
            report("kafka (3 brokers, acks=all)", run(q, "kafka"));
        }
    }

    private static void report(String what, long nanos) {
        System.out.printf("%-28s %d items in %.2f s: %.0f items/s%n", what, ITEMS, nanos / 1e9, ITEMS / (nanos / 1e9));
    }

    private static long run(WorkQueue q, String task) throws InterruptedException {
        List<WorkItem.Request> batch = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) batch.add(new WorkItem.Request(task, "ns" + (i % 4), "col", task + "-obj-" + i, null));
        long start = System.nanoTime();
        q.enqueue(batch);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        TaskProgress p = q.progress(task);
                        if (p.pending() + p.running() == 0) return;
                        List<WorkItem> items = q.claim(16);
                        if (items.isEmpty()) q.awaitWork(100);
                        for (WorkItem item : items) q.complete(item, 1, List.of());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : workers) t.join();
        return System.nanoTime() - start;
    }
}
