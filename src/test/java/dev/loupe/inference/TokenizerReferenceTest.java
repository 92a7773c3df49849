package dev.loupe.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Loupe's token ids (the Rust tokenizers through DJL, with Hugging Face truncation and
 * padding) equal those of an independent implementation of the same tokenizer.json,
 * Hugging Face's tokenizers.js, for strings chosen to break tokenizers: empty, unicode
 * and emoji, full-width forms, punctuation, odd whitespace, very long input.
 */
class TokenizerReferenceTest {
    @Test
    void tokenIdsEqualTheIndependentReference() throws Exception {
        Path dir = Fixtures.tokenizerReference().orElse(null);
        Assumptions.assumeTrue(dir != null, "node and npm are needed for the tokenizers.js reference (npm ci in scripts/tokenizer-reference)");
        JsonNode input = Json.read(Files.readString(dir.resolve("strings.json")));
        JsonNode reference = Json.read(Files.readString(dir.resolve("reference.json")));
        try (TextTokenizer tokenizer = new TextTokenizer(dir.resolve("tokenizer.json"), input.path("context_length").asInt(),
                input.path("pad_id").asLong(), TextClean.NONE)) {
            for (int i = 0; i < input.path("strings").size(); i++) {
                String s = input.path("strings").get(i).asText();
                long[] expected = new long[reference.path("ids").get(i).size()];
                for (int j = 0; j < expected.length; j++) expected[j] = reference.path("ids").get(i).get(j).asLong();
                assertArrayEquals(expected, tokenizer.ids(s), "ids for \"" + s.substring(0, Math.min(40, s.length())) + "\"");
            }
        }
    }

    @Test
    void canonicalisationEqualsOpenClipsPythonCleanUp() throws Exception {
        Path dir = Fixtures.tokenizerReference().orElse(null);
        Assumptions.assumeTrue(dir != null, "the fixture script needs node for its reference ids");
        JsonNode input = Json.read(Files.readString(dir.resolve("strings.json")));
        for (int i = 0; i < input.path("strings").size(); i++) {
            assertEquals(input.path("canonicalized").get(i).asText(), TextClean.CANONICALIZE.apply(input.path("strings").get(i).asText()),
                    "canonicalised form of string " + i);
        }
    }
}
