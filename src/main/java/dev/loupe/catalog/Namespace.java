package dev.loupe.catalog;

import com.fasterxml.jackson.databind.JsonNode;

/** The isolation boundary: every other resource belongs to exactly one namespace. */
public record Namespace(String namespaceId, String namespaceName, String description,
                        JsonNode featureExtractors, String createdAt, String updatedAt) {
}
