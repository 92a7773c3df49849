package dev.loupe.provider;

/**
 * A remote vision-language model: one instruction and some images in, text or a JSON object
 * out. Each implementation speaks one provider's documented protocol; what they share
 * (timeouts, the concurrency bound, retries, the validation retry) lives in {@link Transport}
 * and {@link Conversation}, so the three differ only in the shape of their requests and replies.
 */
public sealed interface VisionModel extends AutoCloseable permits OpenAiChat, GeminiGenerate, OllamaChat {
    /** Protocol, model and endpoint, e.g. {@code openai-compatible gpt-4o-mini at https://api.openai.com/v1}; never the key. */
    String describe();

    /**
     * Asks the model; blocks for the whole exchange (call it from a virtual thread). A
     * {@link ResponseShape.Schema} or {@link ResponseShape.Described} reply is parsed and
     * checked, and a reply that fails gets one follow-up turn quoting the error.
     *
     * @throws ProviderException when the provider refuses, keeps failing, or the reply stays invalid
     */
    Reply generate(Prompt prompt);

    /**
     * Whether this provider can take {@code shape}, checked when a collection is created rather
     * than when its first object is processed: OpenAI's strict mode refuses some JSON Schema
     * keywords (see {@link StrictSchema}). The other providers take any schema {@link ResponseShape.Schema} admits.
     *
     * @throws dev.loupe.api.LoupeException.Invalid naming {@code field} when it cannot
     */
    default void check(ResponseShape shape, String field) {}

    @Override
    void close();
}
