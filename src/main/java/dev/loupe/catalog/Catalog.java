package dev.loupe.catalog;

import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stores and finds catalog resources (namespaces, buckets, objects, batches,
 * collections, retrievers, tasks) in the {@code resources} table of the {@link Database}.
 *
 * <p>Every lookup is scoped by namespace, so nothing is readable across namespaces. Path
 * parameters accept an id or a name: an identifier with the kind's prefix is looked up
 * as an id first, then anything is tried as a name.
 */
public final class Catalog {
    private final Database db;

    public Catalog(Database db) {
        this.db = db;
    }

    public Database database() {
        return db;
    }

    /** Inserts inside the caller's transaction; a duplicate name is a 409. */
    public <T> T insert(Connection c, Kind<T> kind, String id, String namespaceId, String parentId, String name, T record)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO resources(kind, id, namespace_id, parent_id, name, body) VALUES (?,?,?,?,?,?)")) {
            ps.setString(1, kind.name());
            ps.setString(2, id);
            ps.setString(3, namespaceId);
            ps.setString(4, parentId);
            ps.setString(5, name);
            ps.setString(6, Json.write(record));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw nameTaken(e, kind, name);
        }
        return record;
    }

    /** A unique-name violation as the 409 it is; any other failure as it was. */
    private static SQLException nameTaken(SQLException e, Kind<?> kind, String name) {
        if (Database.violatesUniqueness(e)) {
            throw LoupeException.conflict("a " + kind + " named '" + name + "' already exists");
        }
        return e;
    }

    public <T> T insert(Kind<T> kind, String id, String namespaceId, String parentId, String name, T record) {
        return db.inTransaction(c -> insert(c, kind, id, namespaceId, parentId, name, record));
    }

    public <T> void update(Connection c, Kind<T> kind, String id, String name, T record) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE resources SET body = ?, name = ? WHERE kind = ? AND id = ?")) {
            ps.setString(1, Json.write(record));
            ps.setString(2, name);
            ps.setString(3, kind.name());
            ps.setString(4, id);
            if (ps.executeUpdate() != 1) throw LoupeException.notFound(kind.name(), id);
        } catch (SQLException e) {
            throw nameTaken(e, kind, name);
        }
    }

    public <T> void update(Kind<T> kind, String id, String name, T record) {
        db.inTransaction(c -> {
            update(c, kind, id, name, record);
            return null;
        });
    }

    public boolean delete(Connection c, Kind<?> kind, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM resources WHERE kind = ? AND id = ?")) {
            ps.setString(1, kind.name());
            ps.setString(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    public <T> Optional<T> find(Kind<T> kind, String namespaceId, String idOrName) {
        return db.inTransaction(c -> find(c, kind, namespaceId, idOrName));
    }

    public <T> Optional<T> find(Connection c, Kind<T> kind, String namespaceId, String idOrName) throws SQLException {
        if (idOrName == null || idOrName.isBlank()) return Optional.empty();
        String scope = namespaceId == null ? "namespace_id IS NULL" : "namespace_id = ?";
        for (String column : idOrName.startsWith(kind.prefix()) ? List.of("id", "name") : List.of("name", "id")) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT body FROM resources WHERE kind = ? AND " + column + " = ? AND " + scope)) {
                ps.setString(1, kind.name());
                ps.setString(2, idOrName);
                if (namespaceId != null) ps.setString(3, namespaceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) return Optional.of(Json.read(rs.getString(1), kind.type()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A resource by its id in whichever namespace holds it, for resources that Mixpeek
     * addresses without a namespace (tasks); the caller checks that its key may read it.
     */
    public <T> Optional<T> findById(Kind<T> kind, String id) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM resources WHERE kind = ? AND id = ?")) {
                ps.setString(1, kind.name());
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(Json.read(rs.getString(1), kind.type())) : Optional.<T>empty();
                }
            }
        });
    }

    /** Like {@link #find} but a missing resource is a 404 naming what was asked for. */
    public <T> T require(Kind<T> kind, String namespaceId, String idOrName) {
        return find(kind, namespaceId, idOrName).orElseThrow(() -> LoupeException.notFound(kind.name(), idOrName));
    }

    public <T> T require(Connection c, Kind<T> kind, String namespaceId, String idOrName) throws SQLException {
        return find(c, kind, namespaceId, idOrName).orElseThrow(() -> LoupeException.notFound(kind.name(), idOrName));
    }

    /** Resources of a kind in creation order; {@code parentId} null means any parent. */
    public <T> List<T> list(Kind<T> kind, String namespaceId, String parentId, int limit, int offset) {
        return db.inTransaction(c -> list(c, kind, namespaceId, parentId, limit, offset));
    }

    public <T> List<T> list(Connection c, Kind<T> kind, String namespaceId, String parentId, int limit, int offset)
            throws SQLException {
        List<T> out = new ArrayList<>();
        select(c, kind, namespaceId, parentId, -1, limit, offset, (seq, record) -> out.add(record));
        return out;
    }

    /**
     * Hands every resource of a kind to {@code chunk}, in creation order, {@code chunkSize} at a
     * time. Each chunk is read in a transaction of its own, continuing after the last one's
     * position, so a scan of a large bucket neither holds the database nor rereads what it passed.
     */
    public <T> void scan(Kind<T> kind, String namespaceId, String parentId, int chunkSize, java.util.function.Consumer<List<T>> chunk) {
        long after = -1;
        while (true) {
            List<T> rows = new ArrayList<>();
            long[] last = {after};
            long from = after;
            db.inTransaction(c -> select(c, kind, namespaceId, parentId, from, chunkSize, 0, (seq, record) -> {
                rows.add(record);
                last[0] = seq;
            }));
            if (!rows.isEmpty()) chunk.accept(rows);
            if (rows.size() < chunkSize) return;
            after = last[0];
        }
    }

    private interface Row<T> {
        void accept(long seq, T record);
    }

    private <T> int select(Connection c, Kind<T> kind, String namespaceId, String parentId, long afterSeq, int limit, int offset,
                           Row<T> row) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT seq, body FROM resources WHERE kind = ?");
        List<String> args = new ArrayList<>(List.of(kind.name()));
        if (namespaceId != null) {
            sql.append(" AND namespace_id = ?");
            args.add(namespaceId);
        }
        if (parentId != null) {
            sql.append(" AND parent_id = ?");
            args.add(parentId);
        }
        sql.append(" AND seq > ? ORDER BY seq LIMIT ? OFFSET ?");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (String a : args) ps.setString(i++, a);
            ps.setLong(i++, afterSeq);
            ps.setInt(i++, limit);
            ps.setInt(i, offset);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    row.accept(rs.getLong(1), Json.read(rs.getString(2), kind.type()));
                    n++;
                }
            }
            return n;
        }
    }

    public int count(Kind<?> kind, String namespaceId, String parentId) {
        return db.inTransaction(c -> {
            StringBuilder sql = new StringBuilder("SELECT count(*) FROM resources WHERE kind = ?");
            if (namespaceId != null) sql.append(" AND namespace_id = ?");
            if (parentId != null) sql.append(" AND parent_id = ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, kind.name());
                if (namespaceId != null) ps.setString(i++, namespaceId);
                if (parentId != null) ps.setString(i, parentId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }
}
