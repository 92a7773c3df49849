package dev.loupe.inference;

import java.util.Locale;

/**
 * Text clean-up applied before tokenizing, as the model's reference tokenizer does it.
 * {@code canonicalize} is open_clip's for SigLIP: underscores become spaces, ASCII
 * punctuation is removed, text is lower-cased and whitespace collapsed. (open_clip also
 * runs ftfy's mojibake repair first, which is not reproduced.)
 */
public enum TextClean {
    NONE {
        @Override
        public String apply(String text) {
            return text;
        }
    },
    LOWER {
        @Override
        public String apply(String text) {
            return text.toLowerCase(Locale.ROOT).strip();
        }
    },
    CANONICALIZE {
        @Override
        public String apply(String text) {
            String s = text.replace('_', ' ');
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (PUNCTUATION.indexOf(c) < 0) sb.append(c);
            }
            // Python's split() splits on Unicode whitespace (no-break and thin spaces too), unlike Java's \\s.
            return java.util.Arrays.stream(sb.toString().toLowerCase(Locale.ROOT).split("(?U)\\s+"))
                    .filter(t -> !t.isEmpty()).collect(java.util.stream.Collectors.joining(" "));
        }
    };

    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public abstract String apply(String text);

    public static TextClean named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelUnavailableException("unknown text clean-up '" + name + "'; expected none, lower or canonicalize");
        }
    }
}
