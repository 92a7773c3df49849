package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterParser;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private final ObjectNode inputs = (ObjectNode) Json.read("{\"q\": \"red shoes\", \"k\": 5, \"v\": [0.5, 1], \"user\": {\"id\": \"u1\"}, \"gone\": null}");

    @Test
    void aWholeTemplateKeepsTheInputsJsonType() {
        assertEquals(Json.read("5"), Templates.render("{{INPUT.k}}", inputs, "here"));
        assertEquals(Json.read("[0.5, 1]"), Templates.render(" {{ inputs.v }} ", inputs, "here"));
        assertEquals("u1", Templates.renderText("{{Inputs.user.id}}", inputs, "here"));
        assertEquals("find red shoes, 5 of them", Templates.renderText("find {{INPUT.q}}, {{INPUT.k}} of them", inputs, "here"));
    }

    @Test
    void defaultsStandInForAbsentOrNullInputs() {
        assertEquals(Json.read("20"), Templates.render("{{INPUT.limit | 20}}", inputs, "here"));
        assertEquals(Json.read("true"), Templates.render("{{INPUT.gone | true}}", inputs, "here"));
        assertEquals("Acme", Templates.renderText("{{INPUT.brand | default('Acme')}}", inputs, "here"));
        assertEquals("New York", Templates.renderText("{{INPUT.city | New York}}", inputs, "here"));
        assertEquals(Json.read("[1, 2]"), Templates.render("{{INPUT.ids | default([1, 2])}}", inputs, "here"));
        assertEquals("red shoes", Templates.renderText("{{INPUT.q | 'ignored'}}", inputs, "here"), "a present input wins");
        assertEquals("10 items", Templates.renderText("{{INPUT.n | 10}} items", inputs, "here"));
    }

    @Test
    void anAbsentInputWithoutDefaultIsNamed() {
        LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> Templates.render("{{INPUT.missing}}", inputs, "stage 's'"));
        assertEquals("inputs.missing", e.field());
    }

    @Test
    void schemaDefaultsFillAbsentInputsBeforeTypesAreChecked() {
        ObjectNode schema = InputSchema.normalize(Json.read("{\"k\": {\"type\": \"integer\"}, \"top\": {\"type\": \"integer\", \"default\": 7},"
                + " \"q\": {\"type\": \"text\", \"required\": true}}"), "input_schema");
        assertEquals(7, InputSchema.apply(schema, inputs).path("top").asInt());
        LoupeException.Invalid wrongType = assertThrows(LoupeException.Invalid.class, () -> InputSchema.apply(schema, (ObjectNode) Json.read("{\"q\": \"x\", \"k\": \"five\"}")));
        assertEquals("inputs.k", wrongType.field());
        LoupeException.Invalid missing = assertThrows(LoupeException.Invalid.class, () -> InputSchema.apply(schema, Json.object()));
        assertEquals("inputs.q", missing.field());
    }

    private FilterNode filter(String json, JsonNode withInputs) {
        return FilterParser.withInputs(Templates.forFilters(withInputs, "stage 'f'")).parse(Json.read(json), "filters");
    }

    private static JsonNode valueOf(FilterNode node) {
        return assertInstanceOf(FilterNode.Condition.class, node).value();
    }

    @Test
    void templatesInFilterValuesRenderWithTheInputsType() {
        JsonNode in = Json.read("{\"brand\": \"Acme\", \"min_price\": 25, \"on\": true, \"colours\": [\"red\", \"blue\"], \"n\": 7}");
        assertEquals(Json.read("25"), valueOf(filter("{\"field\": \"price\", \"operator\": \"gt\", \"value\": \"{{inputs.min_price}}\"}", in)));
        assertEquals(Json.read("true"), valueOf(filter("{\"field\": \"in_stock\", \"value\": \"{{INPUT.on}}\"}", in)));
        assertEquals(Json.read("[\"red\", \"blue\"]"), valueOf(filter("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"{{INPUT.colours}}\"}", in)),
                "a whole-string template may stand for an in list");
        assertEquals(Json.read("[\"Acme\", \"Globex\", \"red\", \"blue\"]"), valueOf(filter(
                "{\"field\": \"c\", \"operator\": \"nin\", \"value\": [\"{{INPUT.brand}}\", \"Globex\", \"{{INPUT.colours}}\"]}", in)),
                "elements render one by one; a list input adds its elements");
        assertEquals(Json.read("\"SKU-0007\""), valueOf(filter("{\"field\": \"sku\", \"value\": \"SKU-000{{INPUT.n}}\"}", in)),
                "a template inside longer text renders to text");
        assertEquals(Json.read("20"), valueOf(filter("{\"field\": \"n\", \"operator\": \"lte\", \"value\": \"{{INPUT.max | 20}}\"}", in)));
        assertEquals(Json.read("\"Globex\""), valueOf(filter("{\"field\": \"b\", \"value\": \"{{INPUT.other | default('Globex')}}\"}", in)));
        assertEquals(Json.read("\"Acme\""), valueOf(filter("{\"metadata.brand\": \"{{INPUT.brand}}\"}", in)), "the shorthand form too");
    }

    @Test
    void nestedFiltersWithTemplatesMatchAsTheirInputsSay() {
        JsonNode in = Json.read("{\"brand\": \"Acme\", \"min_price\": 25, \"colours\": [\"red\", \"blue\"]}");
        FilterNode f = filter("""
                {"AND": [{"field": "metadata.brand", "operator": "eq", "value": "{{INPUT.brand}}"},
                         {"OR": [{"field": "metadata.price", "operator": "gt", "value": "{{inputs.min_price}}"},
                                 {"NOT": [{"field": "metadata.colour", "operator": "in", "value": "{{INPUT.colours}}"}]}]}]}""", in);
        assertTrue(FilterMatcher.matches(f, Json.read("{\"metadata\": {\"brand\": \"Acme\", \"price\": 30, \"colour\": \"red\"}}")));
        assertTrue(FilterMatcher.matches(f, Json.read("{\"metadata\": {\"brand\": \"Acme\", \"price\": 10, \"colour\": \"green\"}}")));
        assertFalse(FilterMatcher.matches(f, Json.read("{\"metadata\": {\"brand\": \"Acme\", \"price\": 10, \"colour\": \"blue\"}}")));
        assertFalse(FilterMatcher.matches(f, Json.read("{\"metadata\": {\"brand\": \"Globex\", \"price\": 30, \"colour\": \"red\"}}")));
    }

    @Test
    void aMissingInputInAFilterIsNamedWithTheFilterPath() {
        LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> filter(
                "{\"AND\": [{\"field\": \"a\", \"value\": 1}, {\"field\": \"b\", \"operator\": \"in\", \"value\": [\"x\", \"{{INPUT.wanted}}\"]}]}", inputs));
        assertEquals("inputs.wanted", e.field());
        assertTrue(e.getMessage().contains("stage 'f'") && e.getMessage().contains("filters.AND[1].value[1]"), e.getMessage());
        LoupeException.Invalid wrongType = assertThrows(LoupeException.Invalid.class, () -> filter("{\"field\": \"b\", \"operator\": \"in\", \"value\": \"{{INPUT.q}}\"}", inputs));
        assertEquals("filters.value", wrongType.field(), "a rendered value is checked against its operator");
    }

    @Test
    void aSavedRetrieverMayTakeInListsAndRangesFromItsInputs() {
        // Checked before any inputs exist: a value from the inputs cannot be typed yet.
        Stage s = StageParser.parse(Json.read("""
                {"stage_name": "f", "config": {"stage_id": "attribute_filter", "parameters": {"filters": {"AND": [
                  {"field": "colour", "operator": "in", "value": "{{INPUT.colours}}"},
                  {"field": "brand", "operator": "nin", "value": {"type": "dynamic", "field": "inputs.brands"}},
                  {"field": "price", "operator": "gte", "value": {"type": "dynamic", "field": "inputs.min"}}]}}}}"""), "stages[0]");
        assertInstanceOf(Stage.AttributeFilter.class, s);
        LoupeException.Invalid stillChecked = assertThrows(LoupeException.Invalid.class, () -> StageParser.parse(Json.read("""
                {"stage_name": "f", "config": {"stage_id": "attribute_filter", "parameters": {"filters": {
                  "field": "colour", "operator": "in", "value": "red"}}}}"""), "stages[0]"));
        assertEquals("stages[0].config.parameters.filters.value", stillChecked.field());
    }
}
