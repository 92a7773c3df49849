package dev.loupe.ingestion;

import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Kind;
import dev.loupe.metrics.Metrics;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The work queue, watched: what ingestion did, told in the log and counted in {@link Metrics}.
 * A task's first items queued log it as started; every {@link #PROGRESS_EVERY} while it runs
 * its progress (done, failed, rate, time left) is logged, not once per item; when its last
 * item settles it is logged as finished with its counts and rate; each failed item is logged
 * with its reason. Items processed and failed are counted per extractor.
 *
 * <p>Everything else passes through unchanged; the log is written after the real queue
 * answered, so a queue failure is never hidden by it.
 */
public final class ObservedQueue implements WorkQueue, AutoCloseable {
    static final Logger LOG = Logger.getLogger("dev.loupe.ingestion.tasks");
    static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
    /** How often tasks with activity are checked for having finished (or each progress interval, if shorter). */
    private static final Duration TICK = Duration.ofSeconds(1);
    /** Rejected items logged one by one at most; the rest are counted. */
    private static final int MAX_LOGGED_REJECTIONS = 10;

    private final WorkQueue real;
    private final Catalog catalog;
    private final Metrics metrics;
    private final Duration progressEvery;
    private final Map<String, Tracked> tasks = new ConcurrentHashMap<>();
    /** Collection id → its extractor's name; collections keep their extractor for life. */
    private final Map<String, String> extractorOf = new ConcurrentHashMap<>();
    private final Thread reporter;
    private volatile boolean closed;

    /** A task being followed: when it was first seen, when its progress was last logged, when it last moved and whether it did since. */
    private static final class Tracked {
        final long startNanos = System.nanoTime();
        volatile long loggedNanos = startNanos;
        volatile long movedNanos = startNanos;
        volatile boolean touched = true;
    }

    public ObservedQueue(WorkQueue real, Catalog catalog, Metrics metrics) {
        this(real, catalog, metrics, PROGRESS_EVERY);
    }

    ObservedQueue(WorkQueue real, Catalog catalog, Metrics metrics, Duration progressEvery) {
        this.real = real;
        this.catalog = catalog;
        this.metrics = metrics;
        this.progressEvery = progressEvery;
        metrics.watchQueue(() -> {
            Depth d = real.depth();
            return new Metrics.QueueDepth(d.pending(), d.running());
        });
        this.reporter = Thread.ofVirtual().name("task-log").start(this::report);
    }

    private void report() {
        while (!closed) {
            try {
                Thread.sleep(progressEvery.compareTo(TICK) < 0 ? progressEvery : TICK);
            } catch (InterruptedException e) {
                return;
            }
            for (Map.Entry<String, Tracked> e : tasks.entrySet()) {
                try {
                    check(e.getKey(), e.getValue());
                } catch (RuntimeException failure) {
                    // The log must not stop ingestion, nor stop itself over one task: say so and go on.
                    LOG.log(Level.WARNING, "cannot read the progress of task " + e.getKey() + ": " + failure.getMessage());
                }
            }
        }
    }

    private void check(String taskId, Tracked t) {
        long now = System.nanoTime();
        boolean due = now - t.loggedNanos >= progressEvery.toNanos();
        if (!t.touched && !due) return;
        t.touched = false;
        TaskProgress p = real.progress(taskId);
        double seconds = Math.max(1e-3, (now - t.startNanos) / 1e9);
        double rate = (p.done() + p.failed()) / seconds;
        TaskProgress.Status status = p.status();
        if (status != TaskProgress.Status.PENDING && status != TaskProgress.Status.PROCESSING) {
            tasks.remove(taskId);
            // It ended when its last item settled, not when this check noticed.
            seconds = Math.max(1e-3, (t.movedNanos - t.startNanos) / 1e9);
            rate = (p.done() + p.failed()) / seconds;
            LOG.info(String.format(Locale.ROOT, "task %s finished %s: %d done, %d failed, %d canceled of %d in %.1f s (%.1f items/s)",
                    taskId, status, p.done(), p.failed(), p.canceled(), p.total(), seconds, rate));
        } else if (due) {
            t.loggedNanos = now;
            int left = p.pending() + p.running();
            String eta = rate > 0 ? String.format(Locale.ROOT, ", about %.0f s left", left / rate) : "";
            LOG.info(String.format(Locale.ROOT, "task %s: %d/%d done, %d failed, %.1f items/s%s",
                    taskId, p.done() + p.failed(), p.total(), p.failed(), rate, eta));
        }
    }

    private void touch(String taskId) {
        Tracked t = tasks.computeIfAbsent(taskId, id -> new Tracked());
        t.movedNanos = System.nanoTime();
        t.touched = true;
    }

    private String extractor(String collectionId) {
        return extractorOf.computeIfAbsent(collectionId, id -> catalog.findById(Kind.COLLECTION, id)
                .map(Collection::featureExtractor).map(Collection.ExtractorConfig::featureExtractorName).orElse("unknown"));
    }

    @Override
    public void enqueue(List<WorkItem.Request> items) {
        real.enqueue(items);
        Map<String, Set<String>> collectionsOf = new java.util.LinkedHashMap<>();
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (WorkItem.Request r : items) {
            collectionsOf.computeIfAbsent(r.taskId(), k -> new LinkedHashSet<>()).add(r.collectionId());
            counts.merge(r.taskId(), 1, Integer::sum);
        }
        for (Map.Entry<String, Set<String>> e : collectionsOf.entrySet()) {
            boolean fresh = !tasks.containsKey(e.getKey());
            touch(e.getKey());
            if (fresh) {
                LOG.info("task " + e.getKey() + " started: " + counts.get(e.getKey()) + " item(s) for collection "
                        + String.join(", ", e.getValue()));
            }
        }
    }

    @Override
    public List<WorkItem> claim(int max, Set<String> exceptNamespaces) {
        return real.claim(max, exceptNamespaces);
    }

    @Override
    public void complete(WorkItem item, int documentCount, TaskProgress.Tokens tokens, List<WorkItem.Request> followUps) {
        real.complete(item, documentCount, tokens, followUps);
        metrics.itemProcessed(extractor(item.collectionId()));
        touch(item.taskId());
    }

    @Override
    public void fail(WorkItem item, String reason) {
        real.fail(item, reason);
        metrics.itemFailed(extractor(item.collectionId()));
        touch(item.taskId());
        LOG.warning("task " + item.taskId() + ": object " + item.objectId() + " failed in collection " + item.collectionId() + ": " + reason);
    }

    @Override
    public void release(WorkItem item, String reason) {
        real.release(item, reason);
        touch(item.taskId());
        LOG.warning("task " + item.taskId() + ": object " + item.objectId() + " in collection " + item.collectionId()
                + " goes back to the queue (attempt " + (item.attempts() + 1) + " of " + real.maxAttempts() + "): " + reason);
    }

    @Override
    public void reject(List<WorkItem.Request> items, String reason) {
        real.reject(items, reason);
        for (int i = 0; i < items.size(); i++) {
            WorkItem.Request r = items.get(i);
            touch(r.taskId());
            metrics.itemFailed(extractor(r.collectionId()));
            if (i < MAX_LOGGED_REJECTIONS) {
                LOG.warning("task " + r.taskId() + ": object " + r.objectId() + " failed in collection " + r.collectionId() + ": " + reason);
            }
        }
        if (items.size() > MAX_LOGGED_REJECTIONS) {
            LOG.warning((items.size() - MAX_LOGGED_REJECTIONS) + " more item(s) failed: " + reason);
        }
    }

    @Override
    public int cancel(String taskId) {
        int n = real.cancel(taskId);
        touch(taskId);
        return n;
    }

    @Override
    public int retry(String taskId, int maxAttempts) {
        int n = real.retry(taskId, maxAttempts);
        if (n > 0) {
            tasks.put(taskId, new Tracked()); // a retried task is followed afresh: its rate is that of the retry
            LOG.info("task " + taskId + " retried: " + n + " item(s) queued again");
        }
        return n;
    }

    @Override public int maxAttempts() { return real.maxAttempts(); }
    @Override public int recover() { return real.recover(); }
    @Override public TaskProgress progress(String taskId) { return real.progress(taskId); }
    @Override public Depth depth() { return real.depth(); }
    @Override public Map<String, ObjectOutcome> latestByObject(java.util.Collection<String> objectIds) { return real.latestByObject(objectIds); }
    @Override public void recordDeletion(ObjectDeletion deletion) { real.recordDeletion(deletion); }
    @Override public Set<String> deletedAmong(java.util.Collection<String> objectIds) { return real.deletedAmong(objectIds); }
    @Override public List<ObjectDeletion> openDeletions(int max, int offset) { return real.openDeletions(max, offset); }
    @Override public int liveItems(String objectId) { return real.liveItems(objectId); }
    @Override public void finishDeletion(String objectId) { real.finishDeletion(objectId); }
    @Override public void awaitWork(long millis) throws InterruptedException { real.awaitWork(millis); }

    @Override
    public void close() {
        closed = true;
        reporter.interrupt();
    }
}
