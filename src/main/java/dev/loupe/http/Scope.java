package dev.loupe.http;

import dev.loupe.auth.ApiKey;
import dev.loupe.catalog.Namespace;

/** Who is calling (the API key) and in which namespace, resolved once per request. */
record Scope(ApiKey key, Namespace namespace) {
    String namespaceId() {
        return namespace.namespaceId();
    }
}
