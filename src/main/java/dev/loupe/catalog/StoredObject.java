package dev.loupe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A bucket object: blobs plus free-form metadata. Creating one does not process it. */
public record StoredObject(String objectId, String bucketId, String namespaceId, String keyPrefix,
                           List<Blob> blobs, JsonNode metadata, String createdAt, String updatedAt) {
}
