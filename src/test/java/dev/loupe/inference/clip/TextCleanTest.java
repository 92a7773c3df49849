package dev.loupe.inference.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Loupe's text clean-ups equal open_clip's, computed by Python itself
 * (scripts/tokenizer_fixture.py), including on the characters where Python's idea of
 * white space differs from Java's (the separators U+001C–U+001F) and on casing rules.
 */
class TextCleanTest {
    @Test
    void canonicalisationEqualsOpenClipsPythonCleanUp() throws Exception {
        assertEquals(23, compare("canonicalized", TextClean.CANONICALIZE), "strings compared");
    }

    @Test
    void lowerEqualsOpenClipsPythonCleanUp() throws Exception {
        assertEquals(23, compare("lowered", TextClean.LOWER), "strings compared");
    }

    @Test
    void informationSeparatorsAreWhiteSpaceAsInPython() {
        // Python: " ".join("a\x1cb\x1fc".split()) == "a b c"; Java's \s (even Unicode) keeps them
        assertEquals("a b c", TextClean.CANONICALIZE.apply("a\u001cb\u001f c\u001e"));
        assertEquals("a b", TextClean.LOWER.apply("\u001d A\u00a0\u001cB "));
    }

    private static int compare(String field, TextClean clean) throws Exception {
        JsonNode input = Json.read(Files.readString(Fixtures.tokenizerStrings().resolve("strings.json")));
        int n = 0;
        for (int i = 0; i < input.path("strings").size(); i++) {
            String s = input.path("strings").get(i).asText();
            assertEquals(input.path(field).get(i).asText(), clean.apply(s), field + " form of string " + i + " " + escaped(s));
            n++;
        }
        return n;
    }

    private static String escaped(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(60).forEach(c -> sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return sb.toString();
    }
}
