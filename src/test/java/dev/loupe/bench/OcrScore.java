package dev.loupe.bench;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far an OCR engine's text is from the reference, the same way for every engine.
 *
 * <p>Normalisation, applied to both sides: Unicode NFKC; each line's runs of whitespace (any
 * Unicode space) become one space and the line is trimmed; empty lines are dropped. Case,
 * punctuation and line order are kept.
 *
 * <p>Character error rate: the Levenshtein distance (insertions, deletions, substitutions, each
 * costing one, counted in code points) between the normalised lines joined by {@code "\n"},
 * divided by the reference's code points. A line break the engine puts where the reference has a
 * space, or the reverse, costs one edit; lines read in another order cost as much as the
 * characters that have to move.
 *
 * <p>Line matches: how many reference lines appear, identical after normalisation, among the
 * engine's lines, in any order, each engine line matching at most one reference line.
 *
 * @param edits      Levenshtein distance between the joined texts
 * @param characters code points of the joined reference
 * @param matched    reference lines matched exactly
 * @param lines      reference lines
 */
record OcrScore(int edits, int characters, int matched, int lines) {

    static OcrScore of(List<String> reference, List<String> read) {
        List<String> ref = normalise(reference), hyp = normalise(read);
        String joinedRef = String.join("\n", ref);
        Map<String, Integer> available = new HashMap<>();
        for (String line : hyp) available.merge(line, 1, Integer::sum);
        int matched = 0;
        for (String line : ref) {
            Integer left = available.get(line);
            if (left != null && left > 0) {
                available.put(line, left - 1);
                matched++;
            }
        }
        return new OcrScore(levenshtein(joinedRef, String.join("\n", hyp)), joinedRef.codePointCount(0, joinedRef.length()), matched, ref.size());
    }

    /** The sums over several images: the CER of a set is its total edits over its total reference characters. */
    OcrScore plus(OcrScore other) {
        return new OcrScore(edits + other.edits, characters + other.characters, matched + other.matched, lines + other.lines);
    }

    double cer() {
        return characters == 0 ? (edits == 0 ? 0 : 1) : (double) edits / characters;
    }

    double lineAccuracy() {
        return lines == 0 ? 1 : (double) matched / lines;
    }

    /** Lines as compared: see the class comment. {@code text} may hold several lines per element. */
    static List<String> normalise(List<String> text) {
        List<String> out = new ArrayList<>();
        for (String block : text) {
            for (String line : Normalizer.normalize(block, Normalizer.Form.NFKC).split("\\R")) {
                String collapsed = line.replaceAll("[\\s\\p{Z}]+", " ").strip();
                if (!collapsed.isEmpty()) out.add(collapsed);
            }
        }
        return out;
    }

    static int levenshtein(String a, String b) {
        int[] x = a.codePoints().toArray(), y = b.codePoints().toArray();
        int[] previous = new int[y.length + 1], current = new int[y.length + 1];
        for (int j = 0; j <= y.length; j++) previous[j] = j;
        for (int i = 1; i <= x.length; i++) {
            current[0] = i;
            for (int j = 1; j <= y.length; j++) {
                int substitute = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[y.length];
    }
}
