package dev.loupe.queue;

/**
 * One unit of ingestion: run {@code collectionId}'s extractor on one input, which is
 * bucket object {@code objectId} or, for a collection sourcing another collection,
 * that collection's document {@code sourceDocumentId} (whose root object is {@code objectId}).
 */
public record WorkItem(long seq, String taskId, String namespaceId, String collectionId,
                       String objectId, String sourceDocumentId, int attempts) {

    /** A work item not queued yet. */
    public record Request(String taskId, String namespaceId, String collectionId, String objectId, String sourceDocumentId) {
    }
}
