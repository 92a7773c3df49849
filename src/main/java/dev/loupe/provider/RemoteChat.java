package dev.loupe.provider;

/**
 * What the three chat clients share: settings, a {@link Transport} of their own (so each
 * provider has its own concurrency bound) and the {@link Conversation}. A subclass supplies its
 * {@link Conversation.Dialect} and implements {@link VisionModel}, which these methods fulfil.
 */
abstract class RemoteChat {
    final ProviderSettings settings;
    final Transport transport;

    RemoteChat(ProviderSettings settings) {
        this.settings = settings;
        this.transport = new Transport(settings.describe(), settings.calls());
    }

    /** The request and reply shapes; tests build requests with it without sending them. */
    abstract Conversation.Dialect dialect();

    public String describe() {
        return settings.describe();
    }

    public Reply generate(Prompt prompt) {
        return Conversation.generate(describe(), transport, dialect(), prompt, settings.imageMaxSide());
    }

    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return describe();
    }
}
