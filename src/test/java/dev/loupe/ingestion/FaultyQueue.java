package dev.loupe.ingestion;

import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The real queue, with the next few calls of {@link #claim}, {@link #fail}, {@link #release}
 * or {@link #complete} throwing what a test chooses (a full disk's error, an {@code Error})
 * before they reach it.
 */
final class FaultyQueue implements WorkQueue {
    /** What SQLite's driver reports when the database cannot grow, as the catalog wraps it. */
    static final Supplier<Throwable> DISK_FULL = () -> new IllegalStateException(
            "catalog transaction failed: [SQLITE_FULL] Insertion failed because database is full (database or disk is full)");

    private final WorkQueue real;
    final Fault onFail = new Fault();
    final Fault onRelease = new Fault();
    final Fault onComplete = new Fault();
    final Fault onClaim = new Fault();

    FaultyQueue(WorkQueue real) {
        this.real = real;
    }

    /** Throws on the next {@code times} calls; counts every call. */
    static final class Fault {
        private final AtomicInteger left = new AtomicInteger();
        private volatile Supplier<Throwable> thrown = DISK_FULL;
        final AtomicInteger thrownCount = new AtomicInteger();

        void next(int times, Supplier<Throwable> what) {
            thrown = what;
            left.set(times);
        }

        void maybeThrow() {
            if (left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                thrownCount.incrementAndGet();
                Throwable t = thrown.get();
                if (t instanceof RuntimeException r) throw r;
                throw (Error) t;
            }
        }
    }

    @Override public void enqueue(List<WorkItem.Request> items) { real.enqueue(items); }
    @Override
    public List<WorkItem> claim(int max, Set<String> exceptNamespaces) {
        onClaim.maybeThrow();
        return real.claim(max, exceptNamespaces);
    }

    @Override
    public void complete(WorkItem item, int documentCount, dev.loupe.queue.TaskProgress.Tokens tokens, List<WorkItem.Request> followUps) {
        onComplete.maybeThrow();
        real.complete(item, documentCount, tokens, followUps);
    }

    @Override
    public void fail(WorkItem item, String reason) {
        onFail.maybeThrow();
        real.fail(item, reason);
    }

    @Override
    public void release(WorkItem item, String reason) {
        onRelease.maybeThrow();
        real.release(item, reason);
    }

    @Override public int maxAttempts() { return real.maxAttempts(); }
    @Override public int recover() { return real.recover(); }
    @Override public TaskProgress progress(String taskId) { return real.progress(taskId); }
    @Override public Depth depth() { return real.depth(); }
    @Override public Map<String, ObjectOutcome> latestByObject(Collection<String> objectIds) { return real.latestByObject(objectIds); }
    @Override public int cancel(String taskId) { return real.cancel(taskId); }
    @Override public int retry(String taskId, int maxAttempts) { return real.retry(taskId, maxAttempts); }
    @Override public void recordDeletion(ObjectDeletion deletion) { real.recordDeletion(deletion); }
    @Override public Set<String> deletedAmong(Collection<String> objectIds) { return real.deletedAmong(objectIds); }
    @Override public List<ObjectDeletion> openDeletions(int max, int offset) { return real.openDeletions(max, offset); }
    @Override public int liveItems(String objectId) { return real.liveItems(objectId); }
    @Override public void finishDeletion(String objectId) { real.finishDeletion(objectId); }
    @Override public void reject(List<WorkItem.Request> items, String reason) { real.reject(items, reason); }
    @Override public void awaitWork(long millis) throws InterruptedException { real.awaitWork(millis); }
}
