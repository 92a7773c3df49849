package dev.loupe.inference.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, which open_clip's {@code basic_clean} applies twice before
 * its clean-ups: named references by the HTML5 table (the longest known prefix of a name
 * without its {@code ;}, as {@code &amp;ltx} gives {@code <x}), numeric references with
 * HTML's replacements ({@code &#128;} is €, surrogates and values past U+10FFFF are U+FFFD, the
 * invalid code points vanish). The tables are Python's own, written by
 * {@code scripts/html_entities.py} into {@code html5-entities.txt}.
 */
final class HtmlUnescape {
    /** Python's {@code html._charref}; Java, like Python, counts the 32 in code points. */
    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> ENTITIES = new HashMap<>();
    private static final Map<Integer, String> CHARREFS = new HashMap<>();
    private static final Set<Integer> INVALID = new HashSet<>();

    static {
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.txt")) {
            if (in == null) throw new IllegalStateException("html5-entities.txt is missing from the classpath");
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("#")) continue;
                String[] f = line.split("\t");
                switch (f[0]) {
                    case "entity" -> ENTITIES.put(f[1], text(f[2]));
                    case "charref" -> CHARREFS.put(Integer.parseInt(f[1]), text(f[2]));
                    case "invalid" -> INVALID.add(Integer.parseInt(f[1]));
                    default -> throw new IllegalStateException("unknown line in html5-entities.txt: " + line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read html5-entities.txt", e);
        }
    }

    private HtmlUnescape() {}

    static String apply(String s) {
        if (s.indexOf('&') < 0) return s;
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1, ref.endsWith(";") ? ref.length() - 1 : ref.length()).replaceFirst("^0+(?=.)", "");
            // Past eight digits any number is beyond U+10FFFF, where Python answers U+FFFD too.
            long num = digits.length() > 8 ? Long.MAX_VALUE : Long.parseLong(digits, hex ? 16 : 10);
            String replaced = num <= Integer.MAX_VALUE ? CHARREFS.get((int) num) : null;
            if (replaced != null) return replaced;
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return "\uFFFD";
            if (INVALID.contains((int) num)) return "";
            return Character.toString((int) num);
        }
        String whole = ENTITIES.get(ref);
        if (whole != null) return whole;
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = ENTITIES.get(ref.substring(0, x));
            if (prefix != null) return prefix + ref.substring(x);
        }
        return "&" + ref;
    }

    private static String text(String hexes) {
        StringBuilder sb = new StringBuilder();
        for (String h : hexes.split(" ")) sb.appendCodePoint(Integer.parseInt(h, 16));
        return sb.toString();
    }
}
