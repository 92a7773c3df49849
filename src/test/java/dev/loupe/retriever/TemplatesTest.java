package dev.loupe.retriever;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.ApiException;
import dev.loupe.api.Json;
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
        ApiException e = assertThrows(ApiException.class, () -> Templates.render("{{INPUT.missing}}", inputs, "stage 's'"));
        assertEquals(422, e.status());
        assertEquals("inputs.missing", e.details().get("field"));
    }

    @Test
    void schemaDefaultsFillAbsentInputsBeforeTypesAreChecked() {
        ObjectNode schema = InputSchema.normalize(Json.read("{\"k\": {\"type\": \"integer\"}, \"top\": {\"type\": \"integer\", \"default\": 7},"
                + " \"q\": {\"type\": \"text\", \"required\": true}}"), "input_schema");
        assertEquals(7, InputSchema.apply(schema, inputs).path("top").asInt());
        ApiException wrongType = assertThrows(ApiException.class, () -> InputSchema.apply(schema, (ObjectNode) Json.read("{\"q\": \"x\", \"k\": \"five\"}")));
        assertEquals("inputs.k", wrongType.details().get("field"));
        ApiException missing = assertThrows(ApiException.class, () -> InputSchema.apply(schema, Json.object()));
        assertEquals("inputs.q", missing.details().get("field"));
    }
}
