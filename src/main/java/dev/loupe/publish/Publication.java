package dev.loupe.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A published retriever: the public name its URL carries, the prefix of its public key (the key
 * itself is stored only as a hash), and how it is shown and limited.
 *
 * @param displayConfig     Mixpeek's {@code display_config} as given (or made at publication), including
 *                          {@code exposed_fields}, the only document fields public results carry
 * @param retrieverMetadata stages and collections, when {@code include_metadata} asked for it; else null
 */
public record Publication(String publicId, String retrieverId, String namespaceId, String publicName, String keyPrefix,
                          boolean active, String description, String iconBase64, ObjectNode displayConfig, RateLimit rateLimit,
                          JsonNode retrieverMetadata, List<String> tags, String category, String createdAt, String updatedAt) {

    public Publication {
        tags = List.copyOf(tags);
    }

    /** A new publication and its public key, which is shown this once and never stored. */
    public record Created(Publication publication, String secret) {
    }

    /** The document fields public results carry: {@code display_config.exposed_fields}. */
    public List<String> exposedFields() {
        List<String> out = new java.util.ArrayList<>();
        displayConfig.path("exposed_fields").forEach(f -> out.add(f.asText()));
        return out;
    }
}
