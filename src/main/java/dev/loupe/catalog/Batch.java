package dev.loupe.catalog;

import java.util.List;

/** A set of objects submitted together for processing; DRAFT until submitted. */
public record Batch(String batchId, String bucketId, String namespaceId, String status,
                    List<String> objectIds, String taskId, String createdAt, String updatedAt) {

    public static final String DRAFT = "DRAFT";
    public static final String SUBMITTED = "SUBMITTED";

    public Batch withObjects(List<String> ids, String updatedAt) {
        return new Batch(batchId, bucketId, namespaceId, status, List.copyOf(ids), taskId, createdAt, updatedAt);
    }

    public Batch submitted(String taskId, String updatedAt) {
        return new Batch(batchId, bucketId, namespaceId, SUBMITTED, objectIds, taskId, createdAt, updatedAt);
    }
}
