package dev.loupe.filter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * The one definition of a word: Lucene's {@link StandardAnalyzer} (Unicode word breaks,
 * lower-cased), which the index's full-text fields are written with and which the in-memory
 * {@code text} operator and lexical queries read with, so that {@code "foo"} does not find
 * {@code "foo_bar"} in one place and miss it in the other.
 */
public final class Words {
    /** Thread-safe: Lucene keeps per-thread token stream components. */
    public static final Analyzer ANALYZER = new StandardAnalyzer();

    private Words() {}

    /** The lower-cased word terms of {@code text}, as the full-text fields index them. */
    public static List<String> of(String text) {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = ANALYZER.tokenStream("t", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) out.add(term.toString());
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
