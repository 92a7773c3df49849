package dev.loupe.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.util.List;

/**
 * A stored API key, without its secret (only the SHA-256 of the secret is kept).
 *
 * @param namespaces namespace ids the key may use; empty means all
 * @param admin      whether the key may manage keys
 */
public record ApiKey(String keyId, String name, String keyPrefix, boolean admin, List<String> namespaces,
                     String createdAt, String revokedAt) {

    public boolean mayUse(String namespaceId) {
        return namespaces.isEmpty() || namespaces.contains(namespaceId);
    }

    /** The key as {@code /v1/api-keys} shows it (and {@code loupe keys list --data-dir}, which reads the catalog itself). */
    public ObjectNode view() {
        ObjectNode n = Json.object();
        n.put("key_id", keyId);
        n.put("name", name);
        n.put("key_prefix", keyPrefix);
        n.put("admin", admin);
        n.set("namespaces", Json.tree(namespaces));
        n.put("status", revokedAt == null ? "active" : "revoked");
        n.put("created_at", createdAt);
        if (revokedAt != null) n.put("revoked_at", revokedAt);
        return n;
    }

    /** A freshly created key and its secret, which is shown this once and never stored. */
    public record Created(ApiKey key, String secret) {
    }
}
