package dev.loupe.index.contract;

import java.util.concurrent.ThreadLocalRandom;

/** Collection ids for contract tests: unique per call, so tests sharing one remote engine never meet. */
final class CollectionIds {
    private CollectionIds() {
    }

    /** {@code prefix} and a random suffix; letters, digits and underscores only, as every engine accepts. */
    static String unique(String prefix) {
        return prefix + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
