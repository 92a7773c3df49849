package dev.loupe.queue;

/**
 * The recorded intent to remove what a deleted object produced: its documents in every
 * collection its bucket feeds, directly or through other collections. Object ids are
 * never reused, so the record also marks the id as gone for good.
 */
public record ObjectDeletion(String objectId, String namespaceId, String bucketId, String createdAt) {
    /** Why an item still pending when its object was deleted failed. */
    public static final String PENDING_REASON = "object was deleted";
    /** Why an item running when its object was deleted failed. */
    public static final String RUNNING_REASON = "object was deleted while it was being processed";
}
