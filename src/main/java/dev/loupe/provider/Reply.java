package dev.loupe.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What a model answered.
 *
 * @param text     the reply as the model wrote it (for JSON shapes, the JSON text that was accepted)
 * @param json     the parsed object for {@link ResponseShape.Schema} and {@link ResponseShape.Described}; null for {@link ResponseShape.Text}
 * @param usage    tokens over every turn, the validation retry included
 * @param attempts HTTP requests sent, counting transport retries (429, 5xx, timeouts) and the validation retry
 */
public record Reply(String text, ObjectNode json, Usage usage, int attempts) {
    public Reply {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(usage, "usage");
        if (attempts < 1) throw new IllegalArgumentException("a reply takes at least one attempt");
    }
}
