package dev.loupe.provider;

import java.util.Optional;

/** Opens the configured vision-language model. */
public final class VisionModels {
    private VisionModels() {}

    public static VisionModel open(ProviderSettings settings) {
        return switch (settings.kind()) {
            case OPENAI -> new OpenAiChat(settings);
            case GEMINI -> new GeminiGenerate(settings);
            case OLLAMA -> new OllamaChat(settings);
        };
    }

    /** The model {@code settings} name, or empty when none is configured. */
    public static Optional<VisionModel> configured(Optional<ProviderSettings> settings) {
        return settings.map(VisionModels::open);
    }
}
