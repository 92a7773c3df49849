package dev.loupe.queue;

import dev.loupe.catalog.Database;
import dev.loupe.catalog.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.time.Clock;
import java.time.Duration;

/**
 * {@link WorkQueue} in the catalog's database ({@code work_items} and {@code object_deletions} tables),
 * SQLite or PostgreSQL.
 *
 * <p>A claimed item records its owner (this node's id) and a lease. On a shared database
 * ({@link Database.Dialect#shared}: several nodes) claims lock their rows ({@code FOR UPDATE SKIP
 * LOCKED}) so no two nodes take one item; a node renews the leases of its items while it runs
 * them and takes back only its own items at start-up, and any node takes back an item whose lease
 * ran out (its node died). One SQLite file has one node, so there {@link #recover} takes back
 * every RUNNING item, as it always did.
 */
public final class SqlWorkQueue implements WorkQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SqlWorkQueue.class.getName());
    private static final int MAX_REPORTED_FAILURES = 500;
    /** Bound on the ids one {@code IN (...)} query carries; SQLite limits host parameters. */
    private static final int IDS_PER_QUERY = 500;
    /** How long a claimed item stays this node's without a renewal. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);

    private final Database db;
    private final int maxAttempts;
    private final String nodeId;
    private final long leaseMillis;
    private final Clock clock;
    private final Object signal = new Object();
    private final ScheduledExecutorService renewals;

    /** A queue that gives an item up after {@link #DEFAULT_MAX_ATTEMPTS} attempts. */
    public SqlWorkQueue(Database db) {
        this(db, DEFAULT_MAX_ATTEMPTS);
    }

    /** A queue that gives an item up after {@code maxAttempts} attempts that ended without an outcome. */
    public SqlWorkQueue(Database db, int maxAttempts) {
        this(db, maxAttempts, defaultNodeId(), DEFAULT_LEASE, Clock.systemUTC());
    }

    /**
     * A queue for node {@code nodeId}, whose claims last {@code lease} unless renewed. On a shared
     * database a daemon thread renews this node's leases every third of {@code lease}; the
     * {@code clock} says when a lease runs out.
     */
    public SqlWorkQueue(Database db, int maxAttempts, String nodeId, Duration lease, Clock clock) {
        if (maxAttempts < 1) throw new IllegalArgumentException("max attempts must be at least 1, got: " + maxAttempts);
        if (nodeId == null || nodeId.isBlank()) throw new IllegalArgumentException("a node id is needed");
        if (lease.toMillis() < 1) throw new IllegalArgumentException("the lease must be positive, got: " + lease);
        this.db = db;
        this.maxAttempts = maxAttempts;
        this.nodeId = nodeId;
        this.leaseMillis = lease.toMillis();
        this.clock = clock;
        if (db.dialect().shared()) {
            renewals = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "work-lease-renewal");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, leaseMillis / 3);
            renewals.scheduleWithFixedDelay(this::renewQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            renewals = null;
        }
    }

    /** This host's name and a random suffix: unique per process, so a restarted node takes back its items by their lease. */
    public static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        return host + "-" + Ids.random(6);
    }

    public String nodeId() {
        return nodeId;
    }

    /** How long a claim lasts without a renewal (a queue that claims items in its stead, as the Kafka queue does, gives them this lease). */
    public Duration lease() {
        return Duration.ofMillis(leaseMillis);
    }

    /** What says when a lease runs out. */
    public Clock clock() {
        return clock;
    }

    @Override
    public void enqueue(List<WorkItem.Request> items) {
        if (items.isEmpty()) return;
        db.inTransaction(c -> {
            insert(c, items);
            return null;
        });
        wake();
    }

    /** Queues items as PENDING, except those of deleted objects: nothing may bring their documents back. */
    private static void insert(Connection c, List<WorkItem.Request> items) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, source_document_id, state)
                SELECT ?,?,?,?,?,'PENDING' WHERE NOT EXISTS (SELECT 1 FROM object_deletions WHERE object_id = ?)""")) {
            for (WorkItem.Request r : items) {
                ps.setString(1, r.taskId());
                ps.setString(2, r.namespaceId());
                ps.setString(3, r.collectionId());
                ps.setString(4, r.objectId());
                ps.setString(5, r.sourceDocumentId());
                ps.setString(6, r.objectId());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public void reject(List<WorkItem.Request> items, String reason) {
        if (items.isEmpty()) return;
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO work_items(task_id, namespace_id, collection_id, object_id, source_document_id, state, error)
                    VALUES (?,?,?,?,?,'FAILED',?)""")) {
                for (WorkItem.Request r : items) {
                    ps.setString(1, r.taskId());
                    ps.setString(2, r.namespaceId());
                    ps.setString(3, r.collectionId());
                    ps.setString(4, r.objectId());
                    ps.setString(5, r.sourceDocumentId());
                    ps.setString(6, reason);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<WorkItem> claim(int max, Set<String> exceptNamespaces) {
        List<String> skipped = List.copyOf(exceptNamespaces);
        String except = skipped.isEmpty() ? "" : " AND namespace_id NOT IN ("
                + String.join(",", java.util.Collections.nCopies(skipped.size(), "?")) + ")";
        boolean shared = db.dialect().shared();
        // Shared: rows are locked as they are taken, so serializable checks would only add retries.
        return db.inTransaction(shared ? Database.Isolation.READ_COMMITTED : Database.Isolation.SERIALIZABLE, c -> {
            long now = clock.millis();
            if (shared) reclaimExpired(c, now);
            List<WorkItem> items = new ArrayList<>();
            // Round robin over namespaces: each one's oldest item, then each one's second, and so
            // on, so a namespace with a long backlog does not hold back another's first item.
            // Shared, a row another node is taking is skipped rather than waited for.
            try (PreparedStatement ps = c.prepareStatement(shared ? """
                    SELECT w.seq, w.task_id, w.namespace_id, w.collection_id, w.object_id, w.source_document_id, w.attempts
                    FROM work_items w JOIN (SELECT seq, row_number() OVER (PARTITION BY namespace_id ORDER BY seq) AS turn
                                            FROM work_items WHERE state = 'PENDING'""" + except + """
                                            ) r ON r.seq = w.seq
                    WHERE w.state = 'PENDING'
                    ORDER BY r.turn, w.seq LIMIT ? FOR UPDATE OF w SKIP LOCKED""" : """
                    SELECT seq, task_id, namespace_id, collection_id, object_id, source_document_id, attempts
                    FROM (SELECT *, row_number() OVER (PARTITION BY namespace_id ORDER BY seq) AS turn
                          FROM work_items WHERE state = 'PENDING'""" + except + """
                    )
                    ORDER BY turn, seq LIMIT ?""")) {
                for (int i = 0; i < skipped.size(); i++) ps.setString(i + 1, skipped.get(i));
                ps.setInt(skipped.size() + 1, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new WorkItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getInt(7) + 1));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'RUNNING', attempts = attempts + 1, owner = ?, lease_until = ? WHERE seq = ?")) {
                for (WorkItem item : items) {
                    ps.setString(1, nodeId);
                    ps.setLong(2, now + leaseMillis);
                    ps.setLong(3, item.seq());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return items;
        });
    }

    @Override
    public void complete(WorkItem item, int documentCount, TaskProgress.Tokens tokens, List<WorkItem.Request> followUps) {
        boolean queued = db.inTransaction(c -> {
            if (deleted(c, item.objectId())) {
                fail(c, item, ObjectDeletion.RUNNING_REASON);
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE work_items SET state = 'DONE', error = NULL, document_count = ?, input_tokens = ?, output_tokens = ?,
                                          owner = NULL, lease_until = NULL
                    WHERE seq = ?""" + ownItem())) {
                ps.setInt(1, documentCount);
                ps.setLong(2, tokens.input());
                ps.setLong(3, tokens.output());
                ps.setLong(4, item.seq());
                if (db.dialect().shared()) ps.setString(5, nodeId);
                if (ps.executeUpdate() == 0) {
                    // Its lease ran out and another node runs it again; that node records the outcome and the follow-ups.
                    takenBack(item, "completed");
                    return false;
                }
            }
            if (!followUps.isEmpty()) {
                insert(c, followUps);
                // Work that a canceled task's last running items trigger downstream is canceled with it.
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE work_items SET state = 'CANCELED' WHERE task_id = ? AND state = 'PENDING'
                          AND EXISTS (SELECT 1 FROM work_items WHERE task_id = ? AND state = 'CANCELED')""")) {
                    ps.setString(1, item.taskId());
                    ps.setString(2, item.taskId());
                    ps.executeUpdate();
                }
            }
            return !followUps.isEmpty();
        });
        if (queued) wake();
    }

    @Override
    public void fail(WorkItem item, String reason) {
        db.inTransaction(c -> {
            fail(c, item, reason);
            return null;
        });
    }

    private void fail(Connection c, WorkItem item, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE work_items SET state = 'FAILED', error = ?, owner = NULL, lease_until = NULL WHERE seq = ?" + ownItem())) {
            ps.setString(1, reason);
            ps.setLong(2, item.seq());
            if (db.dialect().shared()) ps.setString(3, nodeId);
            if (ps.executeUpdate() == 0 && db.dialect().shared()) takenBack(item, "failed");
        }
    }

    /** Says that an outcome of this node's came too late: the item is another node's now (its lease ran out, or this node left). */
    private static void takenBack(WorkItem item, String outcome) {
        LOG.warning("work item " + item.seq() + " was taken back from this node before it " + outcome
                + "; its outcome is left to the node running it now");
    }

    /** On a shared database, the condition that the item is still this node's (another may have taken it back after its lease ran out). */
    private String ownItem() {
        return db.dialect().shared() ? " AND owner = ?" : "";
    }

    /**
     * {@inheritDoc} On a shared database, only this node's RUNNING items and those whose lease ran
     * out: another node's live items are left to it.
     */
    @Override
    public int recover() {
        return db.inTransaction(c -> takeBack(c, db.dialect().shared() ? " AND (owner = ? OR lease_until IS NULL OR lease_until < ?)" : "",
                true));
    }

    /** Items of nodes that stopped renewing their leases go back to PENDING (or are given up); run with every shared claim. */
    private void reclaimExpired(Connection c, long now) throws SQLException {
        int n = takeBack(c, " AND lease_until < ?", false);
        if (n > 0) LOG.info("took back " + n + " work item(s) whose node's lease ran out");
    }

    /** Renews the leases of this node's RUNNING items; how many. */
    public int renewLeases() {
        return db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE work_items SET lease_until = ? WHERE state = 'RUNNING' AND owner = ?")) {
                ps.setLong(1, clock.millis() + leaseMillis);
                ps.setString(2, nodeId);
                return ps.executeUpdate();
            }
        });
    }

    private void renewQuietly() {
        if (!db.isOpen()) {
            close();
            return;
        }
        try {
            renewLeases();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "renewing this node's work leases failed; will retry", e);
        }
    }

    /**
     * RUNNING items matching {@code which} (its parameters: this node's id, then now; or now alone)
     * back to PENDING, giving up those tried {@link #maxAttempts} times. Returns how many were queued again.
     */
    private int takeBack(Connection c, String which, boolean withOwner) throws SQLException {
        long now = clock.millis();
        // An item that was running every time the process died (it may be what kills it) is given up.
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE work_items SET state = 'FAILED', error = ?, owner = NULL, lease_until = NULL WHERE state = 'RUNNING' AND attempts >= ?"
                        + which)) {
            ps.setString(1, givenUp(maxAttempts, "the process stopped while processing it each time"));
            ps.setInt(2, maxAttempts);
            bind(ps, 3, which, withOwner, now);
            ps.executeUpdate();
        }
        int recovered;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE work_items SET state = 'PENDING', owner = NULL, lease_until = NULL WHERE state = 'RUNNING'" + which)) {
            bind(ps, 1, which, withOwner, now);
            recovered = ps.executeUpdate();
        }
        if (recovered > 0 || withOwner) {
            // Items a dead process was running when their object was deleted: running them
            // again would only fail, or, reading an upstream document not yet removed, write one.
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE work_items SET state = 'FAILED', error = ?
                    WHERE state = 'PENDING' AND object_id IN (SELECT object_id FROM object_deletions)""")) {
                ps.setString(1, ObjectDeletion.RUNNING_REASON);
                ps.executeUpdate();
            }
        }
        if (recovered > 0) wake();
        return recovered;
    }

    private void bind(PreparedStatement ps, int from, String which, boolean withOwner, long now) throws SQLException {
        if (which.isEmpty()) return;
        if (withOwner) ps.setString(from++, nodeId);
        ps.setLong(from, now);
    }

    @Override
    public void release(WorkItem item, String reason) {
        boolean queued = db.inTransaction(c -> {
            // Back to PENDING leaves the row's size as it is: on a full disk this can succeed where recording a reason cannot.
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE work_items SET state = CASE WHEN attempts >= ? THEN 'FAILED' ELSE 'PENDING' END,
                                          error = CASE WHEN attempts >= ? THEN ? ELSE error END,
                                          owner = NULL, lease_until = NULL
                    WHERE seq = ? AND state = 'RUNNING'""" + ownItem())) {
                ps.setInt(1, maxAttempts);
                ps.setInt(2, maxAttempts);
                ps.setString(3, givenUp(maxAttempts, reason));
                ps.setLong(4, item.seq());
                if (db.dialect().shared()) ps.setString(5, nodeId);
                if (ps.executeUpdate() == 0 && db.dialect().shared()) {
                    takenBack(item, "was released");
                    return false;
                }
            }
            return item.attempts() < maxAttempts;
        });
        if (queued) wake();
    }

    /** Why an item tried {@code attempts} times without an outcome failed. */
    static String givenUp(int attempts, String last) {
        return "given up after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ") + last;
    }

    @Override
    public int maxAttempts() {
        return maxAttempts;
    }

    @Override
    public void recordDeletion(ObjectDeletion deletion) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO object_deletions(object_id, namespace_id, bucket_id, state, created_at)
                    VALUES (?,?,?,'OPEN',?) ON CONFLICT DO NOTHING""")) {
                ps.setString(1, deletion.objectId());
                ps.setString(2, deletion.namespaceId());
                ps.setString(3, deletion.bucketId());
                ps.setString(4, deletion.createdAt());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'FAILED', error = ? WHERE object_id = ? AND state = 'PENDING'")) {
                ps.setString(1, ObjectDeletion.PENDING_REASON);
                ps.setString(2, deletion.objectId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static boolean deleted(Connection c, String objectId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM object_deletions WHERE object_id = ?")) {
            ps.setString(1, objectId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public Set<String> deletedAmong(java.util.Collection<String> objectIds) {
        Set<String> out = new HashSet<>();
        if (objectIds.isEmpty()) return out;
        List<String> ids = List.copyOf(new LinkedHashSet<>(objectIds));
        return db.inTransaction(c -> {
            for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY));
                String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
                try (PreparedStatement ps = c.prepareStatement("SELECT object_id FROM object_deletions WHERE object_id IN (" + marks + ")")) {
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 1, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<ObjectDeletion> openDeletions(int max, int offset) {
        return db.inTransaction(c -> {
            List<ObjectDeletion> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT object_id, namespace_id, bucket_id, created_at FROM object_deletions WHERE state = 'OPEN' ORDER BY "
                            + (db.dialect() == Database.Dialect.SQLITE ? "rowid" : "seq") + " LIMIT ? OFFSET ?")) {
                ps.setInt(1, max);
                ps.setInt(2, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new ObjectDeletion(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                }
            }
            return out;
        });
    }

    @Override
    public int liveItems(String objectId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM work_items WHERE object_id = ? AND state IN ('PENDING', 'RUNNING')")) {
                ps.setString(1, objectId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public void finishDeletion(String objectId) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE object_deletions SET state = 'DONE', finished_at = ? WHERE object_id = ?")) {
                ps.setString(1, Ids.now());
                ps.setString(2, objectId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Depth depth() {
        return db.inTransaction(c -> {
            int pending = 0;
            int running = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, count(*) FROM work_items WHERE state IN ('PENDING', 'RUNNING') GROUP BY state");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals("PENDING")) pending = rs.getInt(2);
                    else running = rs.getInt(2);
                }
            }
            return new Depth(pending, running);
        });
    }

    @Override
    public TaskProgress progress(String taskId) {
        return db.inTransaction(c -> {
            Map<WorkItem.State, Integer> counts = new java.util.EnumMap<>(WorkItem.State.class);
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT state, count(*) FROM work_items WHERE task_id = ? GROUP BY state")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) counts.put(WorkItem.State.valueOf(rs.getString(1)), rs.getInt(2));
                }
            }
            Map<String, String> failures = new LinkedHashMap<>();
            if (counts.getOrDefault(WorkItem.State.FAILED, 0) > 0) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT object_id, error FROM work_items WHERE task_id = ? AND state = 'FAILED' ORDER BY seq LIMIT ?")) {
                    ps.setString(1, taskId);
                    ps.setInt(2, MAX_REPORTED_FAILURES);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) failures.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            TaskProgress.Tokens tokens = TaskProgress.Tokens.NONE;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM work_items WHERE task_id = ? AND state = 'DONE'")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) tokens = new TaskProgress.Tokens(rs.getLong(1), rs.getLong(2));
                }
            }
            return new TaskProgress(counts.getOrDefault(WorkItem.State.PENDING, 0), counts.getOrDefault(WorkItem.State.RUNNING, 0),
                    counts.getOrDefault(WorkItem.State.DONE, 0), counts.getOrDefault(WorkItem.State.FAILED, 0),
                    counts.getOrDefault(WorkItem.State.CANCELED, 0), failures, tokens);
        });
    }

    @Override
    public Map<String, ObjectOutcome> latestByObject(java.util.Collection<String> objectIds) {
        Map<String, ObjectOutcome> out = new LinkedHashMap<>();
        if (objectIds.isEmpty()) return out;
        return db.inTransaction(c -> {
            String marks = String.join(",", java.util.Collections.nCopies(objectIds.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT object_id, state, error FROM work_items WHERE object_id IN (" + marks + ") ORDER BY seq")) {
                int i = 1;
                for (String id : objectIds) ps.setString(i++, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), new ObjectOutcome(WorkItem.State.valueOf(rs.getString(2)), rs.getString(3)));
                }
            }
            return out;
        });
    }

    @Override
    public int cancel(String taskId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE work_items SET state = 'CANCELED' WHERE task_id = ? AND state = 'PENDING'")) {
                ps.setString(1, taskId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public int retry(String taskId, int maxAttempts) {
        int retried = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    """
                    UPDATE work_items SET state = 'PENDING', error = NULL
                    WHERE task_id = ? AND state IN ('FAILED', 'CANCELED') AND attempts < ?
                      AND object_id NOT IN (SELECT object_id FROM object_deletions)""")) {
                ps.setString(1, taskId);
                ps.setInt(2, maxAttempts);
                return ps.executeUpdate();
            }
        });
        if (retried > 0) wake();
        return retried;
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    @Override
    public void awaitWork(long millis) throws InterruptedException {
        synchronized (signal) {
            signal.wait(millis);
        }
    }

    /** Stops renewing this node's leases (its items are taken back once they run out, or at its next start). */
    @Override
    public void close() {
        if (renewals != null) renewals.shutdownNow();
    }
}
