package dev.loupe.catalog;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Binds a source (buckets, or another collection) to one feature extractor; its
 * documents live in the document index under {@link #collectionId}.
 */
public record Collection(String collectionId, String namespaceId, String collectionName, String description,
                         Source source, ExtractorConfig featureExtractor, JsonNode metadata,
                         String createdAt, String updatedAt) {

    /**
     * Where a collection's inputs come from: the objects of buckets, or the documents of an
     * upstream collection. Stored and answered with Mixpeek's {@code type} names.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Source.Buckets.class, name = "bucket"),
            @JsonSubTypes.Type(value = Source.Upstream.class, name = "collection")})
    public sealed interface Source {
        /** Mixpeek's name for this kind of source. */
        String type();

        /** Whether objects of this bucket are this source's inputs. */
        boolean readsBucket(String bucketId);

        /** Whether documents of this collection are this source's inputs. */
        boolean readsCollection(String collectionId);

        record Buckets(List<String> bucketIds) implements Source {
            public Buckets {
                bucketIds = List.copyOf(bucketIds);
            }

            @Override
            public String type() {
                return "bucket";
            }

            @Override
            public boolean readsBucket(String bucketId) {
                return bucketIds.contains(bucketId);
            }

            @Override
            public boolean readsCollection(String collectionId) {
                return false;
            }
        }

        record Upstream(String collectionId) implements Source {
            @Override
            public String type() {
                return "collection";
            }

            @Override
            public boolean readsBucket(String bucketId) {
                return false;
            }

            @Override
            public boolean readsCollection(String collectionId) {
                return this.collectionId.equals(collectionId);
            }
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
