package dev.loupe.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A saved retriever: its collections, input schema and stages (in the OpenAPI shape). */
public record RetrieverDefinition(String retrieverId, String namespaceId, String retrieverName, String description,
                                  List<String> collectionIds, JsonNode inputSchema, JsonNode stages,
                                  String createdAt, String updatedAt) {
}
