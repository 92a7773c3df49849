package dev.loupe.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/** A container of raw objects, with the schema their blobs and metadata follow. */
public record Bucket(String bucketId, String namespaceId, String bucketName, String description,
                     JsonNode bucketSchema, JsonNode metadata, String createdAt, String updatedAt) {
}
