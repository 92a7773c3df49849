package dev.loupe.catalog;

import java.util.List;
import java.util.Map;

/**
 * One execution of a {@link ClusterDefinition} and what it found. Its status is the source
 * of its task's status: a cluster task has no work items.
 *
 * @param placements document id → where it was placed (noise has a null cluster id)
 */
public record ClusterRun(String runId, String clusterId, String namespaceId, String taskId, Status status, int numPoints,
                         int noisePoints, List<Group> groups, Map<String, Placement> placements, String createdAt,
                         String completedAt, Double executionTimeSeconds, String errorMessage) {
    public ClusterRun {
        groups = groups == null ? List.of() : List.copyOf(groups);
        placements = placements == null ? Map.of() : Map.copyOf(placements);
    }

    /** Mixpeek's execution statuses, spelled in lower case on the wire. */
    public enum Status {
        PENDING, PROCESSING, COMPLETED, FAILED
    }

    public static ClusterRun pending(String runId, String clusterId, String namespaceId, String taskId, String now) {
        return new ClusterRun(runId, clusterId, namespaceId, taskId, Status.PENDING, 0, 0, List.of(), Map.of(), now, null, null, null);
    }

    public ClusterRun processing() {
        return new ClusterRun(runId, clusterId, namespaceId, taskId, Status.PROCESSING, numPoints, noisePoints, groups, placements,
                createdAt, null, null, null);
    }

    public ClusterRun failed(String error, String now) {
        return new ClusterRun(runId, clusterId, namespaceId, taskId, Status.FAILED, numPoints, noisePoints, groups, placements,
                createdAt, now, executionTimeSeconds, error);
    }

    public ClusterRun completed(int points, int noise, List<Group> found, Map<String, Placement> placed, String now, double seconds) {
        return new ClusterRun(runId, clusterId, namespaceId, taskId, Status.COMPLETED, points, noise, found, placed, createdAt, now,
                seconds, null);
    }

    public ClusterRun withResult(List<Group> found, Map<String, Placement> placed) {
        int noise = (int) placed.values().stream().filter(p -> p.clusterId() == null).count();
        return new ClusterRun(runId, clusterId, namespaceId, taskId, status, placed.size(), noise, found, placed, createdAt,
                completedAt, executionTimeSeconds, errorMessage);
    }

    /**
     * A cluster: {@code cl_<n>}, its label, its centroid (the L2-normalised mean of its members),
     * how many members it has and the farthest member's cosine distance from the centroid, which
     * bounds who may join it later.
     */
    public record Group(String clusterId, String label, float[] centroid, int numMembers, double radius) {
    }

    /**
     * @param sourceKey the source object the document came from (two documents with one key never share a cluster)
     * @param pinned    placed by a manual edit, so a cannot-link split keeps it where it is
     */
    public record Placement(String collectionId, String clusterId, double distance, String sourceKey, boolean pinned) {
    }
}
