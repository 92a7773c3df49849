package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.MissingNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseShapeTest {
    private static final String PATH = "feature_extractor.parameters.response_shape";

    @Test
    void readsMixpeeksResponseShapeAsTextWordsOrASchema() {
        assertInstanceOf(ResponseShape.Text.class, ResponseShape.of(MissingNode.getInstance(), PATH));
        assertInstanceOf(ResponseShape.Text.class, ResponseShape.of(Json.read("null"), PATH));
        assertEquals(new ResponseShape.Described("product names and colours"), ResponseShape.of(Json.read("\"product names and colours\""), PATH));
        assertInstanceOf(ResponseShape.Schema.class, ResponseShape.of(StandIn.productSchema(), PATH));
    }

    @Test
    void refusesSchemasThatAreNotSelfContainedObjects() {
        List<String[]> cases = List.of(
                new String[] {"{\"type\": \"array\", \"items\": {}}", "must describe an object"},
                new String[] {"{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"http://169.254.169.254/latest/meta-data\"}}}", "local reference"},
                new String[] {"{\"type\": \"object\", \"$id\": \"https://example.com/s\", \"properties\": {}}", "$id"},
                new String[] {"{\"$schema\": \"https://example.com/my-dialect\", \"type\": \"object\"}", "$schema"},
                new String[] {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"strin\"}}}", "not a valid JSON Schema"},
                new String[] {"42", "must be a JSON Schema object or a plain-language string"},
                new String[] {"\"\"", "empty"});
        for (String[] c : cases) {
            LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> ResponseShape.of(Json.read(c[0]), PATH), c[0]);
            assertEquals(PATH, e.field());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage() + " should say " + c[1]);
        }
    }

    @Test
    void takesASchemaWithPropertiesButNoTypeAsAnObject() {
        var shape = (ResponseShape.Schema) ResponseShape.of(Json.read("{\"properties\": {\"color\": {\"type\": \"string\"}}}"), PATH);
        assertEquals("object", shape.jsonSchema().path("type").asText());
    }

    @Test
    void admitsAPropertyNamedLikeAKeyword() {
        assertInstanceOf(ResponseShape.Schema.class, ResponseShape.of(Json.read("{\"type\": \"object\", \"properties\": {\"$id\": {\"type\": \"string\"}}}"), PATH));
    }

    @Test
    void readsANullAsAbsentOnlyWhereTheSchemaDoesNotSayNull() {
        var shape = new ResponseShape.Schema(StandIn.productSchema());
        var schema = SchemaCheck.compile(shape.jsonSchema());
        var checked = Conversation.check("{\"product_type\": \"kettle\", \"color\": \"red\", \"brand\": null, \"tags\": [{\"label\": \"x\"}]}", shape, schema);
        assertEquals(null, checked.problem());
        var required = Conversation.check("{\"product_type\": null, \"color\": \"red\", \"tags\": []}", shape, schema);
        assertTrue(required.problem().contains("$.product_type"), required.problem());
    }

    @Test
    void neverFetchesARemoteReferenceEvenPastTheChecks() {
        var schema = (com.fasterxml.jackson.databind.node.ObjectNode) Json.read("{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"http://127.0.0.1:9/s.json\"}}}");
        RuntimeException e = assertThrows(RuntimeException.class, () -> SchemaCheck.compile(schema).validate(Json.read("{\"a\": 1}")));
        assertTrue(e.getMessage().contains("not allowed to be loaded"), e.getMessage());
    }
}
