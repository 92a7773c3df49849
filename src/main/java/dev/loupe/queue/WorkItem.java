package dev.loupe.queue;

/**
 * One unit of ingestion: run {@code collectionId}'s extractor on one input, which is
 * bucket object {@code objectId} or, for a collection sourcing another collection,
 * that collection's document {@code sourceDocumentId} (whose root object is {@code objectId}).
 */
public record WorkItem(long seq, String taskId, String namespaceId, String collectionId,
                       String objectId, String sourceDocumentId, int attempts) {

    /**
     * Where an item is; stored by name in {@code work_items.state}. PENDING → RUNNING → DONE or
     * FAILED; a cancel makes PENDING items CANCELED, a retry FAILED and CANCELED ones PENDING.
     */
    public enum State {
        PENDING, RUNNING, DONE, FAILED, CANCELED
    }

    /** A work item not queued yet. */
    public record Request(String taskId, String namespaceId, String collectionId, String objectId, String sourceDocumentId) {
    }
}
