package dev.loupe.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.auth.ApiKeys;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Published retrievers, in the catalog's {@code publications} table (schema version 4). Each has
 * a public key, {@value #KEY_PREFIX} and 40 random characters, that may execute that retriever
 * and read its configuration, nothing else; only its SHA-256 is stored, as for API keys. The
 * prefix is the one Mixpeek's search widget recognises as a key (and then sends as
 * {@code X-Public-API-Key}).
 */
public final class Publications {
    public static final String KEY_PREFIX = "ret_sk_";

    private final Database db;

    public Publications(Database db) {
        this.db = db;
    }

    /** What a publication is made of, besides its identity and key. */
    public record Settings(String description, String iconBase64, ObjectNode displayConfig, RateLimit rateLimit,
                           JsonNode retrieverMetadata, List<String> tags, String category) {
    }

    /** Publishes a retriever; a 409 when it is published already or the public name is taken. */
    public Publication.Created publish(String retrieverId, String namespaceId, String publicName, Settings s) {
        String secret = KEY_PREFIX + Ids.random(40);
        String now = Ids.now();
        Publication p = new Publication(Ids.next("pub_"), retrieverId, namespaceId, publicName, secret.substring(0, KEY_PREFIX.length() + 4),
                true, s.description(), s.iconBase64(), s.displayConfig(), s.rateLimit(), s.retrieverMetadata(), s.tags(), s.category(), now, now);
        db.inTransaction(c -> {
            if (ofRetriever(c, retrieverId).isPresent()) {
                throw LoupeException.conflict("retriever " + retrieverId + " is already published; PATCH or DELETE its publication first");
            }
            if (byName(c, publicName).isPresent()) throw LoupeException.conflict("public name '" + publicName + "' is taken");
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO publications(public_id, retriever_id, namespace_id, public_name, key_hash, key_prefix, is_active, body, created_at, updated_at)
                    VALUES (?,?,?,?,?,?,1,?,?,?)""")) {
                ps.setString(1, p.publicId());
                ps.setString(2, retrieverId);
                ps.setString(3, namespaceId);
                ps.setString(4, publicName);
                ps.setString(5, ApiKeys.hash(secret));
                ps.setString(6, p.keyPrefix());
                ps.setString(7, Json.write(body(p)));
                ps.setString(8, now);
                ps.setString(9, now);
                ps.executeUpdate();
            }
            return null;
        });
        return new Publication.Created(p, secret);
    }

    /** Stores a publication's changed settings and active flag. */
    public Publication update(Publication p) {
        Publication updated = new Publication(p.publicId(), p.retrieverId(), p.namespaceId(), p.publicName(), p.keyPrefix(), p.active(),
                p.description(), p.iconBase64(), p.displayConfig(), p.rateLimit(), p.retrieverMetadata(), p.tags(), p.category(),
                p.createdAt(), Ids.now());
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE publications SET is_active = ?, body = ?, updated_at = ? WHERE public_id = ?")) {
                ps.setInt(1, updated.active() ? 1 : 0);
                ps.setString(2, Json.write(body(updated)));
                ps.setString(3, updated.updatedAt());
                ps.setString(4, updated.publicId());
                if (ps.executeUpdate() != 1) throw LoupeException.notFound("published retriever", p.retrieverId());
            }
            return null;
        });
        return updated;
    }

    /** Unpublishes a retriever; false when it was not published. Its public key stops working at once. */
    public boolean unpublish(String retrieverId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM publications WHERE retriever_id = ?")) {
                ps.setString(1, retrieverId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    public Optional<Publication> ofRetriever(String retrieverId) {
        return db.inTransaction(c -> ofRetriever(c, retrieverId));
    }

    public Optional<Publication> byName(String publicName) {
        return db.inTransaction(c -> byName(c, publicName));
    }

    /** The publication whose public key this is, if any. */
    public Optional<Publication> authenticate(String secret) {
        String h = ApiKeys.hash(secret);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE key_hash = ?")) {
                ps.setString(1, h);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.<Publication>empty();
                    // Constant-time comparison of what the index matched, against timing probes (as ApiKeys does).
                    if (!MessageDigest.isEqual(h.getBytes(StandardCharsets.US_ASCII), rs.getString("key_hash").getBytes(StandardCharsets.US_ASCII))) {
                        return Optional.<Publication>empty();
                    }
                    return Optional.of(read(rs));
                }
            }
        });
    }

    /** A namespace's publications, oldest first, and how many there are in all. */
    public record Listing(List<Publication> page, int total) {
    }

    public Listing list(String namespaceId, int offset, int limit) {
        return db.inTransaction(c -> {
            List<Publication> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE namespace_id = ? ORDER BY created_at, public_id LIMIT ? OFFSET ?")) {
                ps.setString(1, namespaceId);
                ps.setInt(2, limit);
                ps.setInt(3, offset);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
            }
            int total;
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM publications WHERE namespace_id = ?")) {
                ps.setString(1, namespaceId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getInt(1);
                }
            }
            return new Listing(out, total);
        });
    }

    private static final String SELECT = "SELECT public_id, retriever_id, namespace_id, public_name, key_hash, key_prefix, is_active, body,"
            + " created_at, updated_at FROM publications";

    private static Optional<Publication> ofRetriever(Connection c, String retrieverId) throws SQLException {
        return one(c, SELECT + " WHERE retriever_id = ?", retrieverId);
    }

    private static Optional<Publication> byName(Connection c, String publicName) throws SQLException {
        return one(c, SELECT + " WHERE public_name = ?", publicName);
    }

    private static Optional<Publication> one(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static ObjectNode body(Publication p) {
        ObjectNode n = Json.object();
        if (p.description() != null) n.put("description", p.description());
        if (p.iconBase64() != null) n.put("icon_base64", p.iconBase64());
        n.set("display_config", p.displayConfig());
        n.set("rate_limit_config", p.rateLimit().toJson());
        if (p.retrieverMetadata() != null) n.set("retriever_metadata", p.retrieverMetadata());
        n.set("tags", Json.tree(p.tags()));
        if (p.category() != null) n.put("category", p.category());
        return n;
    }

    private static Publication read(ResultSet rs) throws SQLException {
        JsonNode body = Json.read(rs.getString("body"));
        List<String> tags = new ArrayList<>();
        body.path("tags").forEach(t -> tags.add(t.asText()));
        return new Publication(rs.getString("public_id"), rs.getString("retriever_id"), rs.getString("namespace_id"), rs.getString("public_name"),
                rs.getString("key_prefix"), rs.getInt("is_active") == 1, text(body, "description"), text(body, "icon_base64"),
                (ObjectNode) body.get("display_config"), RateLimit.fromJson(body.path("rate_limit_config")),
                body.hasNonNull("retriever_metadata") ? body.get("retriever_metadata") : null, tags, text(body, "category"),
                rs.getString("created_at"), rs.getString("updated_at"));
    }

    private static String text(JsonNode body, String field) {
        return body.hasNonNull(field) ? body.get(field).asText() : null;
    }
}
