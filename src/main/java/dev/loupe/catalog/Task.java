package dev.loupe.catalog;

/**
 * An asynchronous unit the client can poll. Its status is not stored: it is derived
 * from the states of its work items, so it can never disagree with them.
 */
public record Task(String taskId, String namespaceId, String taskType, String batchId,
                   String collectionId, String createdAt) {
}
