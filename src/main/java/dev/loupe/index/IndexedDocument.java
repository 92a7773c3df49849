package dev.loupe.index;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * A document as the index keeps it: its JSON fields (filterable and returned as they
 * are) and its named vectors (searchable by nearest neighbours).
 */
public record IndexedDocument(String documentId, String collectionId, ObjectNode fields, Map<String, float[]> vectors) {
    public IndexedDocument {
        if (documentId == null || documentId.isBlank()) throw new IllegalArgumentException("document needs an id");
        vectors = Map.copyOf(vectors);
    }
}
