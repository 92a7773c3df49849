package dev.loupe.inference.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Loupe's token ids (the Rust tokenizers through DJL, with Hugging Face truncation and
 * padding) equal those of an independent implementation of the same tokenizer.json,
 * Hugging Face's tokenizers.js, for strings chosen to break tokenizers: empty, unicode
 * and emoji, full-width forms, punctuation, odd whitespace, very long input. This is the
 * only independent tokenizer check, so it fails, never skips, when node or the package
 * is missing ({@code ./loupe test} installs both).
 */
class TokenizerReferenceTest {
    @Test
    void tokenIdsEqualTheIndependentReference() throws Exception {
        Path dir = Fixtures.tokenizerReference();
        JsonNode input = Json.read(Files.readString(dir.resolve("strings.json")));
        JsonNode reference = Json.read(Files.readString(dir.resolve("reference.json")));
        int strings = input.path("strings").size();
        assertEquals(strings, reference.path("ids").size(), "reference ids for every string");
        int checked = 0;
        try (TextTokenizer tokenizer = new TextTokenizer(dir.resolve("tokenizer.json"), input.path("context_length").asInt(),
                input.path("pad_id").asLong(), TextClean.NONE)) {
            for (int i = 0; i < strings; i++) {
                String s = input.path("strings").get(i).asText();
                long[] expected = new long[reference.path("ids").get(i).size()];
                for (int j = 0; j < expected.length; j++) expected[j] = reference.path("ids").get(i).get(j).asLong();
                assertArrayEquals(expected, tokenizer.ids(s), "ids for string " + i + " \"" + s.substring(0, Math.min(40, s.length())) + "\"");
                checked++;
            }
        }
        assertEquals(23, checked, "strings compared with tokenizers.js");
    }
}
