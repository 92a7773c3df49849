package dev.loupe.cluster;

import dev.loupe.catalog.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who runs each pending or running cluster execution: one {@code cluster_run_leases} row per run,
 * holding the node's id and when its claim runs out unless renewed, as work items hold theirs
 * ({@code dev.loupe.queue.SqlWorkQueue}). The row is written with the run and removed when the
 * run ends; a run's status may be written only by the node its row names.
 *
 * <p>On a shared catalog ({@link Database.Dialect#shared}) a run is <em>abandoned</em> when its
 * row is missing (it ran before the table existed) or its lease ran out: its node died. One
 * SQLite file has one node, so there every run found running at start-up is this process's
 * predecessor's, and abandoned.
 */
final class RunLeases {
    private final Database db;
    private final Clusters.Node node;

    RunLeases(Database db, Clusters.Node node) {
        this.db = db;
        this.node = node;
    }

    /** Makes this node the owner of {@code runId}, inside the transaction that creates the run. */
    void claim(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO cluster_run_leases(run_id, owner, lease_until) VALUES (?, ?, ?)")) {
            ps.setString(1, runId);
            ps.setString(2, node.id());
            ps.setLong(3, node.clock().millis() + node.lease().toMillis());
            ps.executeUpdate();
        }
    }

    /** Whether this node still owns {@code runId}: no other node has failed it as abandoned since. */
    boolean owns(Connection c, String runId) throws SQLException {
        return lease(c, runId).filter(l -> l.owner().equals(node.id())).isPresent();
    }

    /** Ends the claim on {@code runId}, whoever held it: the run is finished. */
    void release(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM cluster_run_leases WHERE run_id = ?")) {
            ps.setString(1, runId);
            ps.executeUpdate();
        }
    }

    /**
     * Whether a node starting now may fail {@code runId} as interrupted: on a shared catalog only
     * its own runs and abandoned ones; on SQLite every one.
     */
    boolean interruptedAtStart(Connection c, String runId) throws SQLException {
        if (!db.dialect().shared()) return true;
        Optional<Lease> lease = lease(c, runId);
        return lease.isEmpty() || lease.get().owner().equals(node.id()) || expired(lease.get());
    }

    /** Whether {@code runId}'s node has stopped renewing it (on a shared catalog; on SQLite a running run is this process's). */
    boolean abandoned(Connection c, String runId) throws SQLException {
        if (!db.dialect().shared()) return false;
        Optional<Lease> lease = lease(c, runId);
        return lease.isEmpty() || expired(lease.get());
    }

    /** Runs whose leases ran out, of any node. */
    List<String> expired() {
        return db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT run_id FROM cluster_run_leases WHERE lease_until < ?")) {
                ps.setLong(1, node.clock().millis());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /** Renews this node's leases; how many. */
    int renew() {
        return db.inTransaction(Database.Isolation.READ_COMMITTED, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE cluster_run_leases SET lease_until = ? WHERE owner = ?")) {
                ps.setLong(1, node.clock().millis() + node.lease().toMillis());
                ps.setString(2, node.id());
                return ps.executeUpdate();
            }
        });
    }

    private boolean expired(Lease lease) {
        return lease.until() < node.clock().millis();
    }

    private record Lease(String owner, long until) {
    }

    private static Optional<Lease> lease(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner, lease_until FROM cluster_run_leases WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Lease(rs.getString(1), rs.getLong(2))) : Optional.empty();
            }
        }
    }
}
