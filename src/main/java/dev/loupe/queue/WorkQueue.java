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
 *
 * <p>Deleting an object is queued work too: {@link #recordDeletion} runs in the transaction
 * that deletes the object, cancels its pending items, and from then on no item for that
 * object is queued. The deletion is {@linkplain #finishDeletion finished} after its
 * documents are removed from the index by a pass that began once no item for the object
 * was live (PENDING or RUNNING): every document an item writes is written while it is live.
 */
public interface WorkQueue {

    void enqueue(List<WorkItem.Request> items);

    /**
     * Takes up to {@code max} pending items and marks them RUNNING: oldest first within a
     * namespace, one namespace after another, so every namespace with work gets some.
     */
    default List<WorkItem> claim(int max) {
        return claim(max, java.util.Set.of());
    }

    /** {@link #claim(int)}, leaving the items of {@code exceptNamespaces} where they are. */
    List<WorkItem> claim(int max, java.util.Set<String> exceptNamespaces);

    /**
     * Marks an item DONE and queues the work its documents trigger downstream, atomically;
     * an item whose object was deleted meanwhile is marked FAILED instead, with no follow-ups.
     */
    default void complete(WorkItem item, int documentCount, List<WorkItem.Request> followUps) {
        complete(item, documentCount, TaskProgress.Tokens.NONE, followUps);
    }

    /** As {@link #complete(WorkItem, int, List)}, recording the provider tokens the item's documents used, summed per task. */
    void complete(WorkItem item, int documentCount, TaskProgress.Tokens tokens, List<WorkItem.Request> followUps);

    void fail(WorkItem item, String reason);

    /** Attempts after which an item that never reached an outcome is given up (FAILED). */
    int DEFAULT_MAX_ATTEMPTS = 3;

    /**
     * Puts a RUNNING item back to PENDING to be tried again, its attempt counted; an item
     * already tried {@link #maxAttempts} times becomes FAILED instead, given up with
     * {@code reason}. For items whose outcome could not be recorded (a full disk, say).
     */
    void release(WorkItem item, String reason);

    /** How many attempts an item gets; see {@link #release} and {@link #recover}. */
    int maxAttempts();

    /**
     * Puts RUNNING items back to PENDING, and fails those whose object was deleted and those
     * already tried {@link #maxAttempts} times (an item that kills the process would kill it
     * on every start); called once at start-up, before any worker runs.
     */
    int recover();

    TaskProgress progress(String taskId);

    /** Items waiting and items being worked on, over every task. */
    Depth depth();

    record Depth(int pending, int running) {
    }

    /** The latest work item's state per object and its error. */
    java.util.Map<String, ObjectOutcome> latestByObject(java.util.Collection<String> objectIds);

    /** How an object's most recent processing went; {@code error} is set when it failed. */
    record ObjectOutcome(WorkItem.State state, String error) {
    }

    /** Takes a task's PENDING items off the queue (they become CANCELED); running ones finish. Returns how many. */
    int cancel(String taskId);

    /**
     * Queues a task's FAILED items again (those tried fewer than {@code maxAttempts} times) and
     * resumes CANCELED ones; a deleted object's items stay as they are. Returns how many.
     */
    int retry(String taskId, int maxAttempts);

    /**
     * Records that an object was deleted, inside the caller's transaction: queues the
     * removal of its documents, fails its PENDING items, and keeps any item for it from
     * being queued again. RUNNING items finish as failed (see {@link #complete}).
     */
    void recordDeletion(ObjectDeletion deletion);

    /** The objects among {@code objectIds} that were deleted. */
    java.util.Set<String> deletedAmong(java.util.Collection<String> objectIds);

    /** Deletions not finished yet, oldest first, skipping the first {@code offset}. */
    List<ObjectDeletion> openDeletions(int max, int offset);

    /** How many of the object's items are PENDING or RUNNING. */
    int liveItems(String objectId);

    /** Marks a deletion done; call only after its documents are gone from the index. */
    void finishDeletion(String objectId);

    /** Records items that fail before they run (their object is gone), so their task reports why. */
    void reject(List<WorkItem.Request> items, String reason);

    /** Blocks up to {@code millis} until work may be available. */
    void awaitWork(long millis) throws InterruptedException;
}
