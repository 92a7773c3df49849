package dev.loupe.queue;

import dev.loupe.catalog.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The nodes running on a shared catalog and the {@code --queue} each runs with
 * ({@code catalog_nodes}), so that every node of one catalog dispatches work the same way. Nodes
 * with different settings would strand work without a word: a {@code sql} node turns the Kafka
 * outbox off, so what is queued from then on never reaches the topic and waits for a SQL node,
 * which may be gone. A node is therefore refused when live nodes run with the other setting.
 *
 * <p>Switching is possible, explicitly: stop every node, then start them with the new setting.
 * A node's entry lasts a lease, renewed every third of it while the node runs and deleted when
 * it stops; a killed node's lapses, so a switch after a crash waits at most one lease. One SQLite
 * file has one node (its data directory is locked), so nothing is recorded there.
 */
public final class QueueNodes implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(QueueNodes.class.getName());

    /** How a node's work is dispatched: {@code --queue sql} or {@code --queue kafka}. */
    public enum Dispatch {
        SQL, KAFKA;

        String setting() {
            return "--queue " + name().toLowerCase(Locale.ROOT);
        }
    }

    private final Database db;
    private final String nodeId;
    private final Dispatch dispatch;
    private final long leaseMillis;
    private final Clock clock;
    private final ScheduledExecutorService renewals;

    private QueueNodes(Database db, String nodeId, Dispatch dispatch, Duration lease, Clock clock, ScheduledExecutorService renewals) {
        this.db = db;
        this.nodeId = nodeId;
        this.dispatch = dispatch;
        this.leaseMillis = lease.toMillis();
        this.clock = clock;
        this.renewals = renewals;
    }

    /**
     * Records node {@code nodeId} as running with {@code dispatch}, before it changes anything
     * about dispatch, and renews that while it runs.
     *
     * @throws IllegalStateException when live nodes of the catalog run with the other setting, naming both settings and those nodes
     */
    public static QueueNodes join(Database db, String nodeId, Dispatch dispatch, Duration lease, Clock clock) {
        if (lease.toMillis() < 1) throw new IllegalArgumentException("the lease must be positive, got: " + lease);
        if (!db.dialect().shared()) return new QueueNodes(db, nodeId, dispatch, lease, clock, null);
        ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("queue-node-renewal").daemon().unstarted(r));
        QueueNodes nodes = new QueueNodes(db, nodeId, dispatch, lease, clock, renewals);
        try {
            nodes.register();
        } catch (RuntimeException e) {
            renewals.shutdownNow();
            throw e;
        }
        long every = Math.max(1, lease.toMillis() / 3);
        renewals.scheduleWithFixedDelay(nodes::renewQuietly, every, every, TimeUnit.MILLISECONDS);
        return nodes;
    }

    /** In one serializable transaction, so two nodes starting together with different settings cannot both pass. */
    private void register() {
        List<String> others = db.inTransaction(c -> {
            long now = clock.millis();
            List<String> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT node_id FROM catalog_nodes WHERE node_id <> ? AND dispatch <> ? AND seen_until >= ? ORDER BY node_id")) {
                ps.setString(1, nodeId);
                ps.setString(2, dispatch.name());
                ps.setLong(3, now);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) found.add(rs.getString(1));
                }
            }
            if (!found.isEmpty()) return found;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM catalog_nodes WHERE node_id = ? OR seen_until < ?")) {
                ps.setString(1, nodeId);
                ps.setLong(2, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO catalog_nodes(node_id, dispatch, seen_until) VALUES (?, ?, ?)")) {
                ps.setString(1, nodeId);
                ps.setString(2, dispatch.name());
                ps.setLong(3, now + leaseMillis);
                ps.executeUpdate();
            }
            return found;
        });
        if (!others.isEmpty()) {
            Dispatch theirs = dispatch == Dispatch.SQL ? Dispatch.KAFKA : Dispatch.SQL;
            throw new IllegalStateException("this node starts with " + dispatch.setting() + ", but " + (others.size() == 1 ? "node " : "nodes ")
                    + String.join(", ", others) + " on this catalog " + (others.size() == 1 ? "runs" : "run") + " with " + theirs.setting()
                    + ": work queued by one would wait for the other's dispatch. Start every node of one catalog with the same --queue;"
                    + " to switch, stop them all first (a killed node counts for " + Duration.ofMillis(leaseMillis).toSeconds()
                    + " s after it stopped)");
        }
    }

    /** Renews this node's entry; one that lapsed meanwhile (the node was cut off) is written again. */
    void renew() {
        db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE catalog_nodes SET seen_until = ? WHERE node_id = ?")) {
                ps.setLong(1, clock.millis() + leaseMillis);
                ps.setString(2, nodeId);
                if (ps.executeUpdate() == 1) return null;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO catalog_nodes(node_id, dispatch, seen_until) VALUES (?, ?, ?)")) {
                ps.setString(1, nodeId);
                ps.setString(2, dispatch.name());
                ps.setLong(3, clock.millis() + leaseMillis);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private void renewQuietly() {
        if (!db.isOpen()) {
            renewals.shutdown();
            return;
        }
        try {
            renew();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "renewing this node's entry in the catalog failed; will retry", e);
        }
    }

    /** Stops renewing and removes this node's entry, so that the other setting may start once every node has stopped. */
    @Override
    public void close() {
        if (renewals == null) return;
        renewals.shutdownNow();
        if (!db.isOpen()) return;
        try {
            db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM catalog_nodes WHERE node_id = ?")) {
                    ps.setString(1, nodeId);
                    return ps.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "removing this node's entry from the catalog failed; it lapses with its lease", e);
        }
    }
}
