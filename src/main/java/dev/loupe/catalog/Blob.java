package dev.loupe.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One piece of content of an object. Its bytes are either stored locally
 * ({@code sha256} set: inline data or an already fetched URL) or still at {@code url}.
 */
public record Blob(String blobId, String property, String type, String keyPrefix,
                   String url, String sha256, Long sizeBytes, String mimeType, JsonNode metadata) {

    public Blob withStored(String sha256, long sizeBytes, String mimeType) {
        return new Blob(blobId, property, type, keyPrefix, url, sha256, sizeBytes, mimeType, metadata);
    }
}
