package dev.loupe.queue;

import java.util.List;

/**
 * The durable queue of ingestion work. Items move PENDING → RUNNING → DONE or FAILED;
 * a cancel moves PENDING items to CANCELED and a retry FAILED ones back to PENDING.
 *
 * <p>Contract that makes ingestion exactly-once: an item is marked DONE only after its
 * documents are durably indexed, and documents have deterministic ids, so an item that
 * is run again after a crash overwrites rather than duplicates. {@link #recover} returns
 * items a dead process left RUNNING to PENDING.
 */
public interface WorkQueue {

    void enqueue(List<WorkItem.Request> items);

    /** Takes up to {@code max} pending items, oldest first, and marks them RUNNING. */
    List<WorkItem> claim(int max);

    /** Marks an item DONE and queues the work its documents trigger downstream, atomically. */
    void complete(WorkItem item, int documentCount, List<WorkItem.Request> followUps);

    void fail(WorkItem item, String reason);

    /** Puts RUNNING items back to PENDING; called once at start-up, before any worker runs. */
    int recover();

    TaskProgress progress(String taskId);

    /** The latest work item's state per object (PENDING, RUNNING, DONE, FAILED) and its error. */
    java.util.Map<String, ObjectOutcome> latestByObject(java.util.Collection<String> objectIds);

    /** How an object's most recent processing went; {@code error} is set when it failed. */
    record ObjectOutcome(String state, String error) {
    }

    /** Takes a task's PENDING items off the queue (they become CANCELED); running ones finish. Returns how many. */
    int cancel(String taskId);

    /** Queues a task's FAILED items again (those tried fewer than {@code maxAttempts} times) and resumes CANCELED ones. Returns how many. */
    int retry(String taskId, int maxAttempts);

    /** Blocks up to {@code millis} until work may be available. */
    void awaitWork(long millis) throws InterruptedException;
}
