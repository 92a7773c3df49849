package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import org.junit.jupiter.api.Test;

class GenerationConfigTest {
    private static final String PATH = "feature_extractor.parameters.generation_config";

    @Test
    void takesMixpeeksDefaultsForWhatIsAbsent() {
        assertEquals(new GenerationConfig(0.7, 0.8, 1024), GenerationConfig.of(MissingNode.getInstance(), PATH));
        assertEquals(GenerationConfig.DEFAULT, GenerationConfig.of(Json.read("null"), PATH));
        assertEquals(new GenerationConfig(0.1, 0.8, 1024), GenerationConfig.of(Json.read("{\"temperature\": 0.1}"), PATH));
        assertEquals(new GenerationConfig(0.0, 1.0, 200),
                GenerationConfig.of(Json.read("{\"temperature\": 0, \"top_p\": 1, \"max_output_tokens\": 200, \"candidate_count\": 1, \"response_mime_type\": \"application/json\"}"), PATH));
    }

    @Test
    void refusesWrongValuesNamingTheField() {
        String[][] cases = {
                {"{\"temperature\": 3}", ".temperature"},
                {"{\"temperature\": \"hot\"}", ".temperature"},
                {"{\"top_p\": -0.1}", ".top_p"},
                {"{\"max_output_tokens\": 0}", ".max_output_tokens"},
                {"{\"max_output_tokens\": 10.5}", ".max_output_tokens"},
                {"{\"max_output_tokens\": 100000000}", ".max_output_tokens"},
                {"{\"candidate_count\": 2}", ".candidate_count"},
                {"{\"response_mime_type\": \"text/x.enum\"}", ".response_mime_type"},
                {"{\"response_schema\": {\"type\": \"object\"}}", ".response_schema"},
                {"{\"top_k\": 40}", ".top_k"},
                {"[1]", ""},
        };
        for (String[] c : cases) {
            LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> GenerationConfig.of(Json.read(c[0]), PATH), c[0]);
            assertEquals(PATH + c[1], e.field(), c[0]);
        }
        assertTrue(assertThrows(LoupeException.Invalid.class, () -> GenerationConfig.of(Json.read("{\"response_schema\": {}}"), PATH))
                .getMessage().contains("response_shape"));
    }
}
