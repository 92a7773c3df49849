package dev.loupe.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Json;
import org.junit.jupiter.api.Test;

class FilterParserTest {
    @Test
    void shorthandConditionsAndNestingParse() {
        FilterNode n = FilterParser.parseStatic(Json.read("""
                {"AND": [{"metadata.brand": "Acme"}, {"OR": [{"field": "n", "operator": "gt", "value": 3}, {"NOT": [{"field": "x", "operator": "exists", "value": true}]}]}]}"""), "filters");
        FilterNode.And and = assertInstanceOf(FilterNode.And.class, n);
        FilterNode.Condition first = assertInstanceOf(FilterNode.Condition.class, and.children().getFirst());
        assertEquals(FilterNode.Operator.EQ, first.operator());
        assertEquals("metadata.brand", first.field());
        assertInstanceOf(FilterNode.Or.class, and.children().get(1));
        assertInstanceOf(FilterNode.All.class, FilterParser.parseStatic(Json.read("{}"), "filters"));
    }

    @Test
    void errorsSayWhere() {
        ApiException e = assertThrows(ApiException.class, () -> FilterParser.parseStatic(
                Json.read("{\"AND\": [{}, {\"field\": \"a\", \"operator\": \"approx\", \"value\": 1}]}"), "filters"));
        assertEquals(422, e.status());
        assertEquals("filters.AND[1].operator", e.details().get("field"));
        assertTrue(e.getMessage().contains("unknown operator 'approx'"));
        assertEquals("filters.value", assertThrows(ApiException.class, () -> FilterParser.parseStatic(
                Json.read("{\"field\": \"a\", \"operator\": \"in\", \"value\": 1}"), "filters")).details().get("field"));
    }

    @Test
    void dynamicValuesComeFromTheInputs() {
        FilterParser parser = new FilterParser(ref -> ref.equals("inputs.user") ? TextNode.valueOf("u1") : null);
        FilterNode.Condition c = assertInstanceOf(FilterNode.Condition.class, parser.parse(
                Json.read("{\"field\": \"owner\", \"operator\": \"eq\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.user\"}}"), "f"));
        assertEquals("u1", c.value().asText());
        assertThrows(ApiException.class, () -> parser.parse(
                Json.read("{\"field\": \"owner\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.other\"}}"), "f"));
    }

    @Test
    void withoutInputsATemplateIsLiteralTextAndADeferredOneIsUnchecked() {
        FilterNode.Condition literal = assertInstanceOf(FilterNode.Condition.class, FilterParser.parseStatic(
                Json.read("{\"field\": \"code\", \"value\": \"{{INPUT.x}}\"}"), "filters"));
        assertEquals("{{INPUT.x}}", literal.value().asText(), "documents/list has no inputs to render");
        assertThrows(ApiException.class, () -> FilterParser.parseStatic(Json.read("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"{{INPUT.x}}\"}"), "f"));
        FilterParser deferred = FilterParser.deferringInputs();
        deferred.parse(Json.read("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"{{INPUT.x}}\"}"), "f");
        deferred.parse(Json.read("{\"field\": \"c\", \"operator\": \"nin\", \"value\": [\"a\", \"{{INPUT.x}}\"]}"), "f");
        deferred.parse(Json.read("{\"field\": \"c\", \"operator\": \"gt\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.min\"}}"), "f");
        ApiException e = assertThrows(ApiException.class, () -> deferred.parse(Json.read("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"a\"}"), "f"));
        assertEquals("f.value", e.details().get("field"), "a value known now is still checked");
    }
}
