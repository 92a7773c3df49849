package dev.loupe.index;

import java.util.List;

/**
 * The documents one input produced, under the key of what produced them (for ingestion: the
 * collection, the source object and the source document), so that processing the input
 * again replaces its whole set: a face that is no longer detected leaves no stale document.
 */
public record ProducedDocuments(String producer, List<IndexedDocument> documents) {
    public ProducedDocuments {
        if (producer == null || producer.isBlank()) throw new IllegalArgumentException("produced documents need a producer key");
        documents = List.copyOf(documents);
    }
}
