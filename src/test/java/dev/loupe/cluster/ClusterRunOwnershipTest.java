package dev.loupe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Task;
import dev.loupe.testing.CatalogEngine;
import dev.loupe.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cluster executions on a catalog that several nodes share: each node is a {@link ClusterRig} of
 * its own (its own index) on one catalog, and executions are held back until the test lets them
 * run, so that another node can start, or a lease run out, in between. Leases last an hour of the
 * shared {@link ManualClock}, so no renewal happens while a test runs.
 */
class ClusterRunOwnershipTest {
    private static final Duration LEASE = Duration.ofHours(1);
    private static final Groups TWO = Groups.of(2, 5, 16, 0.05, 7);

    private final ManualClock clock = new ManualClock();

    /** Runs its tasks only when told to ({@link #runHeld}); those still held at shutdown are dropped, as a killed node's are. */
    private static final class HeldExecutor extends AbstractExecutorService {
        private final List<Runnable> held = new ArrayList<>();
        private boolean shut;

        @Override
        public synchronized void execute(Runnable task) {
            held.add(task);
        }

        synchronized void runHeld() {
            List<Runnable> now = new ArrayList<>(held);
            held.clear();
            now.forEach(Runnable::run);
        }

        @Override
        public synchronized void shutdown() {
            shut = true;
        }

        @Override
        public synchronized List<Runnable> shutdownNow() {
            shut = true;
            List<Runnable> left = new ArrayList<>(held);
            held.clear();
            return left;
        }

        @Override
        public synchronized boolean isShutdown() {
            return shut;
        }

        @Override
        public synchronized boolean isTerminated() {
            return shut;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }

    private ClusterRig node(CatalogEngine.Store store, Path dir, String id, HeldExecutor executions) {
        return new ClusterRig(dir.resolve(id), store.open(), new Clusters.Node(id, LEASE, clock), executions);
    }

    private static ClusterRun runOf(ClusterRig rig, Task task) {
        return rig.clusters.runOf(task).orElseThrow();
    }

    @Test
    void aNodeStartingLeavesAnotherNodesLiveExecutionToIt(@TempDir Path dir) {
        CatalogEngine.Store store = CatalogEngine.POSTGRES.store(dir);
        HeldExecutor aJobs = new HeldExecutor();
        try (ClusterRig a = node(store, dir, "node-a", aJobs)) {
            a.write(TWO);
            Task task = a.clusters.execute(ClusterRig.NS, a.define("kmeans", "{\"n_clusters\": 2}").clusterId());
            try (ClusterRig b = node(store, dir, "node-b", new HeldExecutor())) {
                assertEquals(ClusterRun.Status.PENDING, runOf(b, task).status(), "node b's start leaves node a's execution alone");
            }
            aJobs.runHeld();
            ClusterRun done = runOf(a, task);
            assertEquals(ClusterRun.Status.COMPLETED, done.status(), done.errorMessage());
            assertEquals(2, done.groups().size());
        }
    }

    /** On SQLite a second start on the file is the same node restarted: it fails every running execution, as a shared start fails an expired one. */
    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void anExecutionFailedWhileItRanIsNotWrittenOverWhenItsJobFinishes(CatalogEngine engine, @TempDir Path dir) {
        CatalogEngine.Store store = engine.store(dir);
        HeldExecutor aJobs = new HeldExecutor();
        try (ClusterRig a = node(store, dir, "node-a", aJobs)) {
            a.write(TWO);
            Task task = a.clusters.execute(ClusterRig.NS, a.define("kmeans", "{\"n_clusters\": 2}").clusterId());
            clock.advance(LEASE.plusMinutes(1)); // node a stops renewing: it looks dead
            String failedWith;
            try (ClusterRig b = node(store, dir, "node-b", new HeldExecutor())) {
                ClusterRun failed = runOf(b, task);
                assertEquals(ClusterRun.Status.FAILED, failed.status());
                failedWith = failed.errorMessage();
            }
            aJobs.runHeld(); // node a was only slow; its job finishes now
            ClusterRun after = runOf(a, task);
            assertEquals(ClusterRun.Status.FAILED, after.status(), "the failure another node recorded stands");
            assertEquals(failedWith, after.errorMessage());
            assertFalse(a.index.get(ClusterRig.COLLECTION, "d0").orElseThrow().fields().has("cluster_id"),
                    "nor are its placements written onto the documents");
        }
    }

    @ParameterizedTest
    @EnumSource(CatalogEngine.class)
    void aRestartedNodeFailsTheExecutionItLeftRunning(CatalogEngine engine, @TempDir Path dir) {
        CatalogEngine.Store store = engine.store(dir);
        Task task;
        try (ClusterRig a = node(store, dir, "node-a", new HeldExecutor())) {
            a.write(TWO);
            task = a.clusters.execute(ClusterRig.NS, a.define("kmeans", "{\"n_clusters\": 2}").clusterId());
        } // killed before its job ran: the lease is still live, but it is node a's own
        try (ClusterRig again = node(store, dir, "node-a", new HeldExecutor())) {
            ClusterRun run = runOf(again, task);
            assertEquals(ClusterRun.Status.FAILED, run.status());
            assertEquals(Clusters.INTERRUPTED, run.errorMessage());
        }
    }

    @Test
    void anExecutionRunningBeforeTheUpgradeHasNoOwnerAndIsFailedByAnyNodesStart(@TempDir Path dir) {
        CatalogEngine.Store store = CatalogEngine.POSTGRES.store(dir);
        try (ClusterRig a = node(store, dir, "node-a", new HeldExecutor())) {
            ClusterDefinition def = a.define("kmeans", "{\"n_clusters\": 2}");
            a.catalog.insert(Kind.CLUSTER_RUN, "run_old", ClusterRig.NS, def.clusterId(), null,
                    ClusterRun.pending("run_old", def.clusterId(), ClusterRig.NS, "task_old", "2026-01-01T00:00:00Z").processing());
            try (ClusterRig b = node(store, dir, "node-b", new HeldExecutor())) {
                ClusterRun run = b.catalog.require(Kind.CLUSTER_RUN, ClusterRig.NS, "run_old");
                assertEquals(ClusterRun.Status.FAILED, run.status());
                assertEquals(Clusters.INTERRUPTED, run.errorMessage());
            }
        }
    }

    @Test
    void anAbandonedExecutionDoesNotBlockTheNextOneOnAnotherNode(@TempDir Path dir) {
        CatalogEngine.Store store = CatalogEngine.POSTGRES.store(dir);
        HeldExecutor bJobs = new HeldExecutor();
        try (ClusterRig a = node(store, dir, "node-a", new HeldExecutor()); ClusterRig b = node(store, dir, "node-b", bJobs)) {
            a.write(TWO);
            b.write(TWO);
            ClusterDefinition def = a.define("kmeans", "{\"n_clusters\": 2}");
            Task first = a.clusters.execute(ClusterRig.NS, def.clusterId());
            clock.advance(LEASE.plusMinutes(1)); // node a died with its execution running
            Task second = b.clusters.execute(ClusterRig.NS, def.clusterId());
            assertNotEquals(first.taskId(), second.taskId());
            ClusterRun abandoned = runOf(b, first);
            assertEquals(ClusterRun.Status.FAILED, abandoned.status());
            assertEquals(Clusters.ABANDONED, abandoned.errorMessage());
            bJobs.runHeld();
            assertEquals(ClusterRun.Status.COMPLETED, runOf(b, second).status(), runOf(b, second).errorMessage());
        }
    }
}
