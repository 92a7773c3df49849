package dev.loupe.catalog;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A clustering as Mixpeek's {@code CreateClusterRequest} defines one: which collections'
 * vectors ({@code featureUri}) are clustered by which algorithm, and the manual edits that
 * every execution reapplies. {@code algorithmParams} holds the validated parameters with
 * their defaults filled in, as the cluster package parses them.
 */
public record ClusterDefinition(String clusterId, String namespaceId, String clusterName, String description,
                                List<String> collectionIds, String featureUri, String algorithm, ObjectNode algorithmParams,
                                Integer sampleSize, JsonNode filters, ObjectNode metadata, List<Edit> edits,
                                String lastRunId, String lastTaskId, String createdAt, String updatedAt) {
    public ClusterDefinition {
        collectionIds = List.copyOf(collectionIds);
        edits = edits == null ? List.of() : List.copyOf(edits);
    }

    public ClusterDefinition withEdits(List<Edit> newEdits, String now) {
        return new ClusterDefinition(clusterId, namespaceId, clusterName, description, collectionIds, featureUri, algorithm,
                algorithmParams, sampleSize, filters, metadata, newEdits, lastRunId, lastTaskId, createdAt, now);
    }

    public ClusterDefinition withRun(String runId, String taskId, String now) {
        return new ClusterDefinition(clusterId, namespaceId, clusterName, description, collectionIds, featureUri, algorithm,
                algorithmParams, sampleSize, filters, metadata, edits, runId, taskId, createdAt, now);
    }

    public ClusterDefinition withNames(String name, String newDescription, ObjectNode newMetadata, String now) {
        return new ClusterDefinition(clusterId, namespaceId, name, newDescription, collectionIds, featureUri, algorithm,
                algorithmParams, sampleSize, filters, newMetadata, edits, lastRunId, lastTaskId, createdAt, now);
    }

    /**
     * A manual correction, stored by documents rather than by cluster ids (which each execution
     * renumbers), so that it can be reapplied to whatever clusters the next execution finds.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = Edit.Move.class, name = "move"),
            @JsonSubTypes.Type(value = Edit.Merge.class, name = "merge")})
    public sealed interface Edit {
        /** {@code documentId} belongs with {@code anchorDocumentId}, whatever cluster that lands in. */
        record Move(String documentId, String anchorDocumentId) implements Edit {
        }

        /** The clusters holding the two anchor documents are one cluster. */
        record Merge(String anchorDocumentId, String otherAnchorDocumentId) implements Edit {
        }
    }
}
