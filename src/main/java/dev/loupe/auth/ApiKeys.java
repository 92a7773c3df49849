package dev.loupe.auth;

import dev.loupe.api.Json;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * API keys: created and revoked through the API, stored as SHA-256 hashes so a copy
 * of the data directory does not leak usable keys. A key's secret is {@code lpk_}
 * followed by 40 random characters.
 */
public final class ApiKeys {
    private static final String PREFIX = "lpk_";

    private final Database db;

    public ApiKeys(Database db) {
        this.db = db;
    }

    public ApiKey.Created create(String name, boolean admin, List<String> namespaces) {
        return install(name, admin, namespaces, PREFIX + Ids.random(40));
    }

    private ApiKey.Created install(String name, boolean admin, List<String> namespaces, String secret) {
        ApiKey key = new ApiKey(Ids.next("key_"), name, secret.substring(0, Math.min(8, secret.length())), admin,
                List.copyOf(namespaces), Ids.now(), null);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO api_keys(id, name, hash, prefix, admin, namespaces, created_at) VALUES (?,?,?,?,?,?,?)")) {
                ps.setString(1, key.keyId());
                ps.setString(2, name);
                ps.setString(3, hash(secret));
                ps.setString(4, key.keyPrefix());
                ps.setInt(5, admin ? 1 : 0);
                ps.setString(6, Json.write(key.namespaces()));
                ps.setString(7, key.createdAt());
                ps.executeUpdate();
            }
            return null;
        });
        return new ApiKey.Created(key, secret);
    }

    /**
     * Makes sure an admin key exists at start-up. With {@code configured}, that key is
     * installed (once) and nothing is returned; otherwise, on the first start only, a
     * key is generated and returned so it can be printed once.
     */
    public Optional<String> bootstrapAdmin(Optional<String> configured) {
        if (configured.isPresent()) {
            if (authenticate(configured.get()).isEmpty()) {
                if (known(configured.get())) {
                    throw new IllegalStateException("the configured admin key (--admin-key / LOUPE_ADMIN_KEY) was revoked;"
                            + " configure another one, or remove it and use the key `loupe admin-key reset` prints");
                }
                install("configured-admin", true, List.of(), configured.get());
            }
            return Optional.empty();
        }
        boolean anyAdmin = db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM api_keys WHERE admin = 1 AND revoked_at IS NULL LIMIT 1");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
        return anyAdmin ? Optional.empty() : Optional.of(create("admin", true, List.of()).secret());
    }

    /**
     * Revokes every admin key and creates a new one, in one transaction: how an operator
     * who lost the admin key gets back in (with the server stopped; see {@code loupe admin-key reset}).
     */
    public ResetAdmin resetAdmin() {
        return db.inTransaction(c -> {
            int revoked;
            try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET revoked_at = ? WHERE admin = 1 AND revoked_at IS NULL")) {
                ps.setString(1, Ids.now());
                revoked = ps.executeUpdate();
            }
            return new ResetAdmin(create("admin", true, List.of()), revoked);
        });
    }

    /** The new admin key and how many admin keys were revoked for it. */
    public record ResetAdmin(ApiKey.Created key, int revoked) {
    }

    /** Whether this secret was ever a key, revoked or not. */
    private boolean known(String secret) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM api_keys WHERE hash = ?")) {
                ps.setString(1, hash(secret));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    public Optional<ApiKey> authenticate(String secret) {
        String h = hash(secret);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, prefix, admin, namespaces, created_at, revoked_at, hash FROM api_keys WHERE hash = ? AND revoked_at IS NULL")) {
                ps.setString(1, h);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return Optional.<ApiKey>empty();
                    // Constant-time comparison of what the index already matched, against timing probes.
                    if (!MessageDigest.isEqual(h.getBytes(StandardCharsets.US_ASCII), rs.getString(8).getBytes(StandardCharsets.US_ASCII))) {
                        return Optional.<ApiKey>empty();
                    }
                    return Optional.of(read(rs));
                }
            }
        });
    }

    public List<ApiKey> list() {
        return db.inTransaction(c -> {
            List<ApiKey> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, prefix, admin, namespaces, created_at, revoked_at FROM api_keys ORDER BY created_at");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(read(rs));
            }
            return out;
        });
    }

    /** Revokes a key by id or name; false when there is no such active key. */
    public boolean revoke(String idOrName) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_keys SET revoked_at = ? WHERE (id = ? OR name = ?) AND revoked_at IS NULL")) {
                ps.setString(1, Ids.now());
                ps.setString(2, idOrName);
                ps.setString(3, idOrName);
                return ps.executeUpdate() > 0;
            }
        });
    }

    private static ApiKey read(ResultSet rs) throws SQLException {
        List<String> namespaces = new ArrayList<>();
        Json.read(rs.getString(5)).forEach(n -> namespaces.add(n.asText()));
        return new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4) == 1, namespaces,
                rs.getString(6), rs.getString(7));
    }

    /** The SHA-256 (hex) a secret is stored as; public keys of published retrievers are kept the same way. */
    public static String hash(String secret) {
        try {
            return java.util.HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
