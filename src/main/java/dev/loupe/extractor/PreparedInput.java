package dev.loupe.extractor;

/**
 * One input as an extractor's {@link FeatureExtractor#prepare} left it for its
 * {@link FeatureExtractor#extract}. Each extractor has its own kind; the family is closed
 * so that an extractor handed another's input fails loudly rather than guessing.
 */
public sealed interface PreparedInput permits ImageExtractor.Input, FaceIdentityExtractor.Input, MultimodalExtractor.Input {
}
