package dev.loupe.inference.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * {@link HtmlUnescape} equals Python's {@code html.unescape}, and the clean-ups that start
 * with open_clip's {@code basic_clean} (unescaping twice) equal open_clip's, on the references
 * where an unescaper can go wrong: doubly escaped ampersands, references without their
 * {@code ;} and the longest-prefix rule, numeric references that HTML replaces or drops,
 * surrogates and values past U+10FFFF, astral characters. Python computes the expected forms
 * (scripts/html_unescape_fixture.py).
 */
class HtmlUnescapeTest {
    private static final int CASES = 30;

    @Test
    void unescapingEqualsPythonsHtmlUnescape() throws Exception {
        assertEquals(CASES, compare("unescaped", HtmlUnescape::apply), "strings compared");
    }

    @Test
    void canonicalisationUnescapesTwiceAsOpenClipsBasicCleanDoes() throws Exception {
        assertEquals(CASES, compare("canonicalized", TextClean.CANONICALIZE::apply), "strings compared");
        assertEquals("", TextClean.CANONICALIZE.apply("&amp;amp;"), "both passes: & is punctuation");
    }

    @Test
    void lowerUnescapesTwiceAsOpenClipsBasicCleanDoes() throws Exception {
        assertEquals(CASES, compare("lowered", TextClean.LOWER::apply), "strings compared");
        assertEquals("&lt;", TextClean.LOWER.apply("&amp;amp;lt;"), "two passes, not three");
    }

    @Test
    void withoutACleanUpReferencesStayAsTheyAre() {
        assertEquals("&amp;amp;", TextClean.NONE.apply("&amp;amp;"));
    }

    private static int compare(String field, java.util.function.UnaryOperator<String> clean) throws Exception {
        JsonNode cases = Json.read(Files.readString(Fixtures.htmlUnescapeCases().resolve("cases.json")));
        int n = 0;
        for (int i = 0; i < cases.path("strings").size(); i++) {
            String s = cases.path("strings").get(i).asText();
            assertEquals(cases.path(field).get(i).asText(), clean.apply(s), field + " form of " + s);
            n++;
        }
        return n;
    }
}
