package dev.loupe.provider;

import java.util.Objects;

/**
 * An API key or bearer token. It shows as {@code [secret]} in every {@code toString}, so a
 * settings record that holds one can be logged; only this package reads the value.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        Objects.requireNonNull(value, "secret");
        if (value.isBlank()) throw new IllegalArgumentException("a key cannot be empty");
        if (value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a key must be printable ASCII without spaces (is the file's line ending inside it?)");
        }
        return new Secret(value);
    }

    String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
