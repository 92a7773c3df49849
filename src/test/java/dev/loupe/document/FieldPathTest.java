package dev.loupe.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldPathTest {

    @Test
    void aPathIsBoundedAndHasNoEmptySegments() {
        for (String bad : new String[] {"", ".a", "a.", "a..b", "a".repeat(FieldPath.MAX_LENGTH + 1), "a.".repeat(FieldPath.MAX_DEPTH) + "a"}) {
            assertThrows(FieldPath.Invalid.class, () -> FieldPath.parse(bad), bad);
        }
        assertEquals(List.of("metadata", "brand"), FieldPath.parse("metadata.brand").segments());
    }

    @Test
    void arraysAreTraversedAtAnyDepthAndAValueInsideNestedArraysIsAnElement() {
        var doc = Json.read("{\"nested\": [[1, [2]], 3], \"variants\": [{\"color\": \"red\"}, {\"color\": [\"blue\", null]}], \"empty\": []}");
        assertEquals(List.of(Json.read("1"), Json.read("2"), Json.read("3")), FieldPath.parse("nested").values(doc));
        assertEquals(List.of(Json.read("\"red\""), Json.read("\"blue\""), Json.read("null")), FieldPath.parse("variants.color").values(doc));
        assertTrue(FieldPath.parse("empty").exists(doc), "an empty array exists, as the index's presence term says");
        assertTrue(FieldPath.parse("empty").values(doc).isEmpty());
        assertFalse(FieldPath.parse("nested.x").exists(doc));
    }

    @Test
    void selectTakesANodeWholeUnlessArraysLieOnTheWayAndNullIsMissing() {
        var doc = Json.read("{\"a\": {\"b\": [1, 2]}, \"v\": [{\"c\": \"x\"}, {\"c\": \"y\"}], \"n\": null}");
        assertEquals(Json.read("[1, 2]"), FieldPath.parse("a.b").select(doc).orElseThrow());
        assertEquals(Json.read("[\"x\", \"y\"]"), FieldPath.parse("v.c").select(doc).orElseThrow());
        assertTrue(FieldPath.parse("n").select(doc).isEmpty());
    }
}
