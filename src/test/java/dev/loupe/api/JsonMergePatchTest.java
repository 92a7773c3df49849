package dev.loupe.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonMergePatchTest {
    /** RFC 7396, appendix A: every example whose target and patch are objects (original, patch, result). */
    private static final List<List<String>> RFC_EXAMPLES = List.of(
            List.of("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
            List.of("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"),
            List.of("{\"a\":\"b\"}", "{\"a\":null}", "{}"),
            List.of("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"),
            List.of("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"),
            List.of("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"),
            List.of("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"),
            List.of("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"),
            List.of("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"),
            List.of("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"));

    @Test
    void mergePatchGivesEveryResultOfRfc7396sExamples() {
        for (List<String> example : RFC_EXAMPLES) {
            ObjectNode target = (ObjectNode) Json.read(example.get(0));
            Json.mergePatch(target, (ObjectNode) Json.read(example.get(1)));
            assertEquals(Json.read(example.get(2)), target, example.toString());
        }
        assertEquals(10, RFC_EXAMPLES.size());
    }

    @Test
    void thePatchIsCopiedNotShared() {
        ObjectNode patch = (ObjectNode) Json.read("{\"a\": [1]}");
        ObjectNode target = Json.object();
        Json.mergePatch(target, patch);
        ((com.fasterxml.jackson.databind.node.ArrayNode) patch.get("a")).add(2);
        assertEquals(Json.read("{\"a\": [1]}"), target);
    }
}
