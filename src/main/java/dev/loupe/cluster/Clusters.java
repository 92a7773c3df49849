package dev.loupe.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.ClusterDefinition;
import dev.loupe.catalog.ClusterRun;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Ids;
import dev.loupe.catalog.Kind;
import dev.loupe.catalog.Task;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.index.DocumentIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Clusterings and their executions. An execution is a task ({@code engine_cluster_build})
 * with no work items: its status is its {@link ClusterRun}'s, whose id is the task's with
 * {@code run_} for {@code task_}. Executions run on a virtual thread each, one at a time per
 * clustering; one that a restart interrupted is failed when Loupe starts again, since nothing
 * of it was written before it finished (enrichment is the last step).
 *
 * <p>Several nodes: each run is owned by the node that started it, under a lease it renews
 * ({@link RunLeases}). A node starting fails only its own runs and abandoned ones (lease run
 * out), any node fails abandoned runs as it renews its own, and a run writes its enrichment and
 * its result only while its node still owns it: one failed meanwhile stays failed.
 */
public final class Clusters implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Clusters.class.getName());
    public static final String TASK_TYPE = "engine_cluster_build";

    private final Catalog catalog;
    private final DocumentIndex index;
    private final ClusterJob job;
    private final ClusterAssignment assignment;
    /** Serialises changes to completed runs: edits, late arrivals, an execution's result. */
    private final java.util.concurrent.locks.ReentrantLock runs = new java.util.concurrent.locks.ReentrantLock();
    private final ExecutorService executor;
    private final RunLeases leases;
    /** Renews this node's leases and fails abandoned runs, on a shared catalog; null on SQLite. */
    private final ScheduledExecutorService renewals;

    /**
     * The node executions run on: its id on a shared catalog, how long its claim on a run lasts
     * without a renewal (renewed every third of it), and the clock that says when it runs out.
     */
    public record Node(String id, Duration lease, Clock clock) {
        public Node {
            if (id == null || id.isBlank()) throw new IllegalArgumentException("a node id is needed");
            if (lease.toMillis() < 1) throw new IllegalArgumentException("the lease must be positive, got: " + lease);
        }
    }

    public Clusters(Catalog catalog, DocumentIndex index, ExtractorCatalog extractors, Node node) {
        this(catalog, index, extractors, node, Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cluster-", 0).factory()));
    }

    /** With {@code executions} running the jobs (a test holds them back to interleave nodes). */
    Clusters(Catalog catalog, DocumentIndex index, ExtractorCatalog extractors, Node node, ExecutorService executions) {
        this.catalog = catalog;
        this.index = index;
        this.job = new ClusterJob(catalog, index, extractors);
        this.assignment = new ClusterAssignment(catalog, job, runs);
        this.executor = executions;
        this.leases = new RunLeases(catalog.database(), node);
        failInterrupted();
        if (catalog.database().dialect().shared()) {
            renewals = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("cluster-lease-renewal").daemon().unstarted(r));
            long every = Math.max(1, node.lease().toMillis() / 3);
            renewals.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            renewals = null;
        }
    }

    public ClusterAssignment assignment() {
        return assignment;
    }

    public ClusterDefinition create(String namespaceId, ClusterConfig config, ObjectNode metadata) {
        List<String> collectionIds = new ArrayList<>();
        for (String ref : config.collectionRefs()) {
            Collection col = catalog.find(Kind.COLLECTION, namespaceId, ref)
                    .orElseThrow(() -> LoupeException.invalid("collection_ids", "collection not found: " + ref));
            job.vectorSpec(col, config.featureUri());
            if (!collectionIds.contains(col.collectionId())) collectionIds.add(col.collectionId());
        }
        String id = Kind.CLUSTER.newId();
        String now = Ids.now();
        String name = config.clusterName() == null ? id : config.clusterName();
        ClusterMethod m = config.method();
        return catalog.insert(Kind.CLUSTER, id, namespaceId, null, name, new ClusterDefinition(id, namespaceId, name, config.description(),
                collectionIds, config.featureUri(), m.algorithm(), m.toJson(), config.sampleSize(), config.filters(), metadata, List.of(),
                null, null, now, now));
    }

    public ClusterDefinition require(String namespaceId, String idOrName) {
        return catalog.require(Kind.CLUSTER, namespaceId, idOrName);
    }

    public Optional<ClusterRun> lastRun(ClusterDefinition def) {
        return def.lastRunId() == null ? Optional.empty() : catalog.find(Kind.CLUSTER_RUN, def.namespaceId(), def.lastRunId());
    }

    /** The run behind a cluster task. */
    public Optional<ClusterRun> runOf(Task task) {
        if (!TASK_TYPE.equals(task.taskType())) return Optional.empty();
        return catalog.findById(Kind.CLUSTER_RUN, runId(task.taskId()));
    }

    static String runId(String taskId) {
        return Kind.CLUSTER_RUN.prefix() + taskId.substring(Kind.TASK.prefix().length());
    }

    /** Starts an execution; a second while one is pending or processing is a 409. */
    public Task execute(String namespaceId, String idOrName) {
        record Started(Task task, ClusterDefinition def, ClusterRun run) {
        }
        Started s = catalog.database().inTransaction(c -> {
            ClusterDefinition def = catalog.require(c, Kind.CLUSTER, namespaceId, idOrName);
            if (def.lastRunId() != null) {
                Optional<ClusterRun> last = catalog.find(c, Kind.CLUSTER_RUN, namespaceId, def.lastRunId());
                if (last.isPresent() && running(last.get())) {
                    if (!leases.abandoned(c, last.get().runId())) {
                        throw LoupeException.conflict("cluster " + def.clusterId() + " is already executing (task " + last.get().taskId() + ")");
                    }
                    fail(c, last.get(), ABANDONED);
                }
            }
            String taskId = Kind.TASK.newId();
            String now = Ids.now();
            Task task = catalog.insert(c, Kind.TASK, taskId, namespaceId, null, null,
                    new Task(taskId, namespaceId, TASK_TYPE, null, def.collectionIds().getFirst(), now));
            ClusterRun run = catalog.insert(c, Kind.CLUSTER_RUN, runId(taskId), namespaceId, def.clusterId(), null,
                    ClusterRun.pending(runId(taskId), def.clusterId(), namespaceId, taskId, now));
            leases.claim(c, run.runId());
            ClusterDefinition started = def.withRun(run.runId(), taskId, now);
            catalog.update(c, Kind.CLUSTER, def.clusterId(), def.clusterName(), started);
            return new Started(task, started, run);
        });
        executor.submit(() -> runJob(s.def(), s.run()));
        return s.task();
    }

    static final String INTERRUPTED = "interrupted by a restart; execute again";
    static final String ABANDONED = "its node stopped renewing its lease (stopped or cut off); execute again";

    private void runJob(ClusterDefinition def, ClusterRun pending) {
        ClusterRun processing = pending.processing();
        if (!write(def, processing, false)) return;
        ClusterRun done;
        try {
            done = job.run(catalog.require(Kind.CLUSTER, def.namespaceId(), def.clusterId()), processing, () -> {
                if (!catalog.database().inTransaction(c -> leases.owns(c, processing.runId()))) throw new TakenOver();
            });
        } catch (TakenOver e) {
            LOG.info("cluster run " + processing.runId() + " was failed by another node while it ran; its result is dropped");
            return;
        } catch (RuntimeException e) {
            if (!(e instanceof LoupeException || e instanceof IllegalArgumentException)) LOG.log(Level.WARNING, "cluster execution failed", e);
            done = processing.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), Ids.now());
        }
        runs.lock();
        try {
            if (!write(def, done, true)) {
                LOG.info("cluster run " + done.runId() + " was failed by another node while it ran; its result is dropped");
            }
        } finally {
            runs.unlock();
        }
    }

    /** Thrown inside a job whose run another node failed as abandoned, so that it writes nothing more. */
    private static final class TakenOver extends RuntimeException {
        TakenOver() {
            super(null, null, false, false);
        }
    }

    /**
     * Writes {@code run} if this node still owns it and its clustering still exists (deleting the
     * clustering deletes its runs); {@code last}: the run is finished and its lease ends. Whether it was written.
     */
    private boolean write(ClusterDefinition def, ClusterRun run, boolean last) {
        return catalog.database().inTransaction(c -> {
            if (!leases.owns(c, run.runId())) return false;
            if (catalog.find(c, Kind.CLUSTER, def.namespaceId(), def.clusterId()).isEmpty()) return false;
            catalog.update(c, Kind.CLUSTER_RUN, run.runId(), null, run);
            if (last) leases.release(c, run.runId());
            return true;
        });
    }

    private void fail(java.sql.Connection c, ClusterRun run, String why) throws java.sql.SQLException {
        catalog.update(c, Kind.CLUSTER_RUN, run.runId(), null, run.failed(why, Ids.now()));
        leases.release(c, run.runId());
    }

    private static boolean running(ClusterRun run) {
        return run.status() == ClusterRun.Status.PENDING || run.status() == ClusterRun.Status.PROCESSING;
    }

    /** Fails the runs a start finds running that were this node's or are abandoned; another node's live runs are left to it. */
    private void failInterrupted() {
        List<ClusterRun> found = new ArrayList<>();
        catalog.scan(Kind.CLUSTER_RUN, null, null, 500, chunk -> chunk.stream().filter(Clusters::running).forEach(found::add));
        for (ClusterRun r : found) {
            catalog.database().inTransaction(c -> {
                Optional<ClusterRun> now = catalog.findById(Kind.CLUSTER_RUN, r.runId());
                if (now.isPresent() && running(now.get()) && leases.interruptedAtStart(c, r.runId())) fail(c, now.get(), INTERRUPTED);
                return null;
            });
        }
    }

    /** Renews this node's leases, then fails the runs of nodes that stopped renewing theirs. */
    private void renewQuietly() {
        if (!catalog.database().isOpen()) {
            renewals.shutdown();
            return;
        }
        try {
            leases.renew();
            for (String runId : leases.expired()) {
                catalog.database().inTransaction(c -> {
                    Optional<ClusterRun> run = catalog.findById(Kind.CLUSTER_RUN, runId);
                    if (run.isPresent() && running(run.get()) && leases.abandoned(c, runId)) fail(c, run.get(), ABANDONED);
                    else if (run.isPresent() && !running(run.get())) leases.release(c, runId);
                    return null;
                });
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "renewing this node's cluster run leases failed; will retry", e);
        }
    }

    /** Deletes the clustering, its runs, and the enrichment fields its last run wrote; not while it executes (409). */
    public void delete(String namespaceId, String idOrName) {
        ClusterDefinition def = require(namespaceId, idOrName);
        Optional<ClusterRun> last = lastRun(def);
        if (last.isPresent() && running(last.get()) && !catalog.database().inTransaction(c -> leases.abandoned(c, last.get().runId()))) {
            throw LoupeException.conflict("cluster " + def.clusterId() + " is executing (task " + last.get().taskId() + "); delete it once that task has finished");
        }
        catalog.database().inTransaction(c -> {
            for (ClusterRun r : catalog.list(c, Kind.CLUSTER_RUN, namespaceId, def.clusterId(), Integer.MAX_VALUE, 0)) {
                catalog.delete(c, Kind.CLUSTER_RUN, r.runId());
            }
            return catalog.delete(c, Kind.CLUSTER, def.clusterId());
        });
        last.ifPresent(run -> run.placements().forEach((docId, p) ->
                index.updateFields(p.collectionId(), docId, f -> {
                    Placements.clear(f);
                    return f;
                })));
    }

    public ClusterDefinition rename(ClusterDefinition def, String name, String description, ObjectNode metadata) {
        ClusterDefinition updated = def.withNames(name, description, metadata == null ? def.metadata() : metadata, Ids.now());
        catalog.update(Kind.CLUSTER, def.clusterId(), updated.clusterName(), updated);
        return updated;
    }

    /** Moves documents into {@code targetClusterId} of the last run, now and in every later execution. */
    public ClusterRun move(String namespaceId, String idOrName, List<String> documentIds, String targetClusterId) {
        return edit(namespaceId, idOrName, run -> {
            String anchor = anchor(run, targetClusterId, documentIds, "target_cluster_id");
            for (String d : documentIds) {
                if (!run.placements().containsKey(d)) throw LoupeException.invalid("document_ids", "document " + d + " was not clustered by this run");
            }
            return documentIds.stream().<ClusterDefinition.Edit>map(d -> new ClusterDefinition.Edit.Move(d, anchor)).toList();
        });
    }

    /** Merges {@code sourceClusterIds} into {@code targetClusterId}, now and in every later execution. */
    public ClusterRun merge(String namespaceId, String idOrName, List<String> sourceClusterIds, String targetClusterId) {
        return edit(namespaceId, idOrName, run -> {
            String anchor = anchor(run, targetClusterId, List.of(), "target_cluster_id");
            List<ClusterDefinition.Edit> edits = new ArrayList<>();
            for (String source : sourceClusterIds) {
                if (source.equals(targetClusterId)) throw LoupeException.invalid("source_cluster_ids", "cannot merge " + source + " into itself");
                edits.add(new ClusterDefinition.Edit.Merge(anchor, anchor(run, source, List.of(), "source_cluster_ids")));
            }
            return edits;
        });
    }

    /** Most edits a clustering keeps; beyond that, execute with better parameters instead. */
    static final int MAX_EDITS = 10_000;

    private ClusterRun edit(String namespaceId, String idOrName, java.util.function.Function<ClusterRun, List<ClusterDefinition.Edit>> make) {
        runs.lock();
        try {
            return editLocked(namespaceId, idOrName, make);
        } finally {
            runs.unlock();
        }
    }

    private ClusterRun editLocked(String namespaceId, String idOrName, java.util.function.Function<ClusterRun, List<ClusterDefinition.Edit>> make) {
        ClusterDefinition def = require(namespaceId, idOrName);
        ClusterRun run = lastRun(def).filter(r -> r.status() == ClusterRun.Status.COMPLETED)
                .orElseThrow(() -> LoupeException.conflict("cluster " + def.clusterId() + " has no completed execution to edit"));
        List<ClusterDefinition.Edit> added = make.apply(run);
        if (def.edits().size() + added.size() > MAX_EDITS) throw LoupeException.conflict("cluster " + def.clusterId() + " holds " + MAX_EDITS + " edits already");
        List<ClusterDefinition.Edit> edits = new ArrayList<>(def.edits());
        edits.addAll(added);
        ClusterRun edited = new ClusterEdit(index, job).apply(def, run, added);
        catalog.database().inTransaction(c -> {
            catalog.update(c, Kind.CLUSTER, def.clusterId(), def.clusterName(), def.withEdits(edits, Ids.now()));
            catalog.update(c, Kind.CLUSTER_RUN, run.runId(), null, edited);
            return null;
        });
        return edited;
    }

    /** A member of {@code clusterId} to stand for it: the one nearest its centroid, other than the documents being moved. */
    private static String anchor(ClusterRun run, String clusterId, List<String> excluded, String field) {
        if (run.groups().stream().noneMatch(g -> g.clusterId().equals(clusterId))) {
            throw LoupeException.invalid(field, "cluster " + clusterId + " is not in the last execution; it has "
                    + run.groups().stream().map(ClusterRun.Group::clusterId).toList());
        }
        return run.placements().entrySet().stream()
                .filter(e -> clusterId.equals(e.getValue().clusterId()) && !excluded.contains(e.getKey()))
                .min(java.util.Map.Entry.comparingByValue(java.util.Comparator.comparingDouble(ClusterRun.Placement::distance)))
                .map(java.util.Map.Entry::getKey)
                .orElseThrow(() -> LoupeException.invalid(field, "cluster " + clusterId + " would have no other member left"));
    }

    /**
     * Waits a while for running executions, without interrupting them (Lucene treats an
     * interrupt as a failure of its files); one still running is failed at the next start.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Runs still going keep their leases until they run out, so another node fails them then.
        if (renewals != null) renewals.shutdownNow();
    }
}
