package dev.loupe.ingestion;

import dev.loupe.blob.BlobStore;
import java.nio.charset.StandardCharsets;

/**
 * Document ids derived from what produced the document, so that processing the same
 * input twice (after a crash) overwrites the document instead of adding a second one.
 */
public final class DocumentIds {
    private DocumentIds() {}

    public static String of(String collectionId, String objectId, String sourceDocumentId, int index) {
        String key = collectionId + "\n" + objectId + "\n" + (sourceDocumentId == null ? "" : sourceDocumentId) + "\n" + index;
        return "doc_" + BlobStore.sha256(key.getBytes(StandardCharsets.UTF_8)).substring(0, 24);
    }
}
