package dev.loupe.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Binds a source (buckets, or another collection) to one feature extractor; its
 * documents live in the document index under {@link #collectionId}.
 */
public record Collection(String collectionId, String namespaceId, String collectionName, String description,
                         Source source, ExtractorConfig featureExtractor, JsonNode metadata,
                         String createdAt, String updatedAt) {

    /** Where a collection's inputs come from: {@code bucket} objects or another collection's documents. */
    public record Source(String type, List<String> bucketIds, String collectionId) {
        public static final String BUCKET = "bucket";
        public static final String COLLECTION = "collection";

        public boolean isBucket() {
            return BUCKET.equals(type);
        }
    }

    /** The extractor as configured on the collection, in Mixpeek's field names. */
    public record ExtractorConfig(String featureExtractorName, String version, JsonNode inputMappings,
                                  List<Passthrough> fieldPassthrough, boolean includeAllSourceFields, JsonNode parameters) {

        /** Mixpeek's read-only instance id: name and version. */
        public String featureExtractorId() {
            return featureExtractorName + "_" + version;
        }
    }

    /**
     * Copies {@code source_path} of the input to {@code target_path} of each document;
     * without a target, the last component of the source path names the field
     * ({@code metadata.author} → {@code author}), as Mixpeek does.
     */
    public record Passthrough(String sourcePath, String targetPath,
                              @JsonProperty("default") JsonNode defaultValue, boolean required) {
        public String target() {
            if (targetPath != null && !targetPath.isBlank()) return targetPath;
            return sourcePath.substring(sourcePath.lastIndexOf('.') + 1);
        }
    }
}
