package dev.loupe.http;

import dev.loupe.catalog.Task;
import dev.loupe.cluster.Clusters;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkQueue;

/**
 * Where a task's status comes from: a batch's from its work items, a cluster execution's
 * from its run (it has no work items, and counting none would call it completed at once).
 */
final class TaskStatuses {
    private final WorkQueue queue;
    private final Clusters clusters;

    TaskStatuses(WorkQueue queue, Clusters clusters) {
        this.queue = queue;
        this.clusters = clusters;
    }

    TaskProgress progress(Task task) {
        return clusters.runOf(task).map(ClusterRoutes::progress).orElseGet(() -> queue.progress(task.taskId()));
    }
}
