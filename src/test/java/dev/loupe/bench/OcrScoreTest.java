package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The OCR benchmark's scores count what its javadoc says they count. */
class OcrScoreTest {

    @Test
    void countsInsertionsDeletionsAndSubstitutionsInCodePoints() {
        assertEquals(3, OcrScore.levenshtein("kitten", "sitting"));
        assertEquals(0, OcrScore.levenshtein("", ""));
        assertEquals(4, OcrScore.levenshtein("", "abcd"));
        assertEquals(1, OcrScore.levenshtein("a😀b", "ab"), "an astral character is one character");
    }

    @Test
    void collapsesWhitespaceAndDropsEmptyLinesBeforeComparing() {
        OcrScore score = OcrScore.of(List.of("Total  due:\t$12.00", "OPEN 24 HOURS"), List.of("  Total due: $12.00 \n\n\fOPEN 24 HOURS\n"));
        assertEquals(new OcrScore(0, 31, 2, 2), score);
    }

    @Test
    void chargesOneEditForALineBrokenInTwoAndMatchesNeitherHalf() {
        OcrScore score = OcrScore.of(List.of("quick brown fox"), List.of("quick brown", "fox"));
        assertEquals(1, score.edits());
        assertEquals(0, score.matched());
        assertEquals(1 / 15.0, score.cer(), 1e-12);
    }

    @Test
    void matchesLinesInAnyOrderButEachEngineLineOnlyOnce() {
        OcrScore score = OcrScore.of(List.of("SALE", "SALE", "Made in Italy"), List.of("Made in Italy", "SALE"));
        assertEquals(2, score.matched());
        assertEquals(2 / 3.0, score.lineAccuracy(), 1e-12);
    }

    @Test
    void keepsCaseAndPunctuation() {
        assertEquals(2, OcrScore.of(List.of("Net Wt. 250 g"), List.of("net Wt 250 g")).edits());
    }

    @Test
    void sumsEditsAndCharactersAcrossImagesRatherThanAveragingRates() {
        OcrScore set = OcrScore.of(List.of("ab"), List.of("xy")).plus(OcrScore.of(List.of("abcdefgh"), List.of("abcdefgh")));
        assertEquals(0.2, set.cer(), 1e-12);
    }
}
