package dev.loupe.inference.clip;

import dev.loupe.inference.ModelUnavailableException;
import java.util.Locale;

/**
 * Text clean-up applied before tokenizing, as the model's reference tokenizer does it.
 * Both clean-ups start with open_clip's {@code basic_clean}: HTML references unescaped twice,
 * as Python's {@code html.unescape} does it ({@link HtmlUnescape}: {@code &amp;amp;} becomes
 * {@code &}). {@code canonicalize} is open_clip's for SigLIP: underscores become spaces, ASCII
 * punctuation is removed, text is lower-cased and whitespace collapsed; {@code lower} is
 * open_clip's {@code lower}: whitespace collapsed, then lower-cased. Whitespace is
 * Python's {@code str.split()} set, which unlike Java's Unicode {@code \s} includes the
 * separators U+001C–U+001F. ({@code basic_clean} also runs ftfy's mojibake repair first; that
 * is not reproduced.)
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
            return collapseWhitespace(basicClean(text)).toLowerCase(Locale.ROOT);
        }
    },
    CANONICALIZE {
        @Override
        public String apply(String text) {
            String s = basicClean(text).replace('_', ' ');
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (PUNCTUATION.indexOf(c) < 0) sb.append(c);
            }
            return collapseWhitespace(sb.toString().toLowerCase(Locale.ROOT));
        }
    };

    /** Python's {@code string.punctuation}. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /** Python's {@code str.isspace()} characters: Java's Unicode white space plus the information separators. */
    private static final java.util.regex.Pattern WHITESPACE = java.util.regex.Pattern.compile("[\\s\\x1c-\\x1f]+", java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);

    public abstract String apply(String text);

    /** open_clip's {@code basic_clean} without ftfy; its final strip is left to the whitespace collapse that follows. */
    private static String basicClean(String text) {
        return HtmlUnescape.apply(HtmlUnescape.apply(text));
    }

    /** Python's {@code " ".join(text.split())}. */
    private static String collapseWhitespace(String text) {
        return java.util.Arrays.stream(WHITESPACE.split(text)).filter(t -> !t.isEmpty()).collect(java.util.stream.Collectors.joining(" "));
    }

    public static TextClean named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelUnavailableException("unknown text clean-up '" + name + "'; expected none, lower or canonicalize");
        }
    }
}
