package dev.loupe.auth;

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

    /** A freshly created key and its secret, which is shown this once and never stored. */
    public record Created(ApiKey key, String secret) {
    }
}
