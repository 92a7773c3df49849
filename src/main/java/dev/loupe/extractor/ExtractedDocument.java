package dev.loupe.extractor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * A document as an extractor produced it, before ingestion gives it an id and the fields
 * every document carries (collection, source object, metadata, passthrough).
 *
 * @param fields  the extractor's own output fields
 * @param vectors its vectors by index field name
 * @param images  JPEG images to store; each one's URL is written at its field (a thumbnail, a face crop)
 */
public record ExtractedDocument(ObjectNode fields, Map<String, float[]> vectors, List<Image> images) {
    /**
     * The field where a document records what remote providers counted for it
     * ({@code input_tokens}, {@code output_tokens}, {@code calls}); ingestion sums it per task.
     */
    public static final String PROVIDER_USAGE = "provider_usage";

    public ExtractedDocument {
        vectors = Map.copyOf(vectors);
        images = List.copyOf(images);
    }

    /** A JPEG to store, whose URL goes at {@code field} (a dot path) of the document. */
    public record Image(String field, byte[] jpeg) {
    }
}
