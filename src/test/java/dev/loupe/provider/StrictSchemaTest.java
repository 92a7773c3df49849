package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import org.junit.jupiter.api.Test;

class StrictSchemaTest {
    private static ObjectNode schema(String json) {
        return (ObjectNode) Json.read(json);
    }

    @Test
    void makesEveryPropertyRequiredAndTheOptionalOnesNullable() {
        ObjectNode strict = StrictSchema.convert(schema("""
                {"type": "object", "properties": {
                   "name": {"type": "string"},
                   "size": {"type": "string", "enum": ["S", "M", "L"]},
                   "price": {"anyOf": [{"type": "number"}, {"type": "string"}]},
                   "maker": {"type": "object", "properties": {"country": {"type": "string"}}}},
                 "required": ["name"]}"""));

        assertEquals(Json.read("""
                {"type": "object", "properties": {
                   "name": {"type": "string"},
                   "size": {"type": ["string", "null"], "enum": ["S", "M", "L", null]},
                   "price": {"anyOf": [{"anyOf": [{"type": "number"}, {"type": "string"}]}, {"type": "null"}]},
                   "maker": {"type": ["object", "null"], "properties": {"country": {"type": ["string", "null"]}},
                             "required": ["country"], "additionalProperties": false}},
                 "required": ["name", "size", "price", "maker"], "additionalProperties": false}"""), strict);
    }

    @Test
    void dropsTheKeywordsStrictModeLacksAndTurnsOneOfIntoAnyOf() {
        ObjectNode strict = StrictSchema.convert(schema("""
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "properties": {
                   "code": {"type": "string", "minLength": 2, "maxLength": 8, "pattern": "^[A-Z]+$", "default": "AA"},
                   "labels": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "maxItems": 5},
                   "kind": {"oneOf": [{"const": "a"}, {"const": "b"}]}},
                 "required": ["code", "labels", "kind"]}"""));

        JsonNode props = strict.path("properties");
        assertEquals(Json.read("{\"type\": \"string\", \"pattern\": \"^[A-Z]+$\"}"), props.path("code"));
        assertEquals(Json.read("{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"maxItems\": 5}"), props.path("labels"));
        assertEquals(Json.read("{\"anyOf\": [{\"const\": \"a\"}, {\"const\": \"b\"}]}"), props.path("kind"));
        assertTrue(strict.path("$schema").isMissingNode());
    }

    @Test
    void keepsLocalDefinitionsAndConvertsThem() {
        ObjectNode strict = StrictSchema.convert(schema("""
                {"type": "object", "$defs": {"tag": {"type": "object", "properties": {"label": {"type": "string"}}}},
                 "properties": {"tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}}}, "required": ["tags"]}"""));
        assertEquals(Json.read("{\"type\": \"object\", \"properties\": {\"label\": {\"type\": [\"string\", \"null\"]}}, \"required\": [\"label\"], \"additionalProperties\": false}"),
                strict.path("$defs").path("tag"));
        assertEquals("#/$defs/tag", strict.path("properties").path("tags").path("items").path("$ref").asText());
    }

    @Test
    void refusesWhatNoStrictSchemaCanMeanNamingWhere() {
        String[][] cases = {
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"allOf\": [{\"type\": \"string\"}]}}}", "$.properties.a.allOf"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"object\", \"additionalProperties\": true, \"properties\": {\"b\": {\"type\": \"string\"}}}}}", "$.properties.a.additionalProperties"},
                {"{\"type\": \"object\", \"properties\": {\"m\": {\"type\": \"object\"}}}", "$.properties.m: strict mode needs an object's properties"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"patternProperties\": {\"^x\": {}}}", "$.patternProperties"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"not\": {\"type\": \"string\"}}}}", "$.properties.a.not"},
                {"{\"type\": \"array\", \"items\": {\"type\": \"string\"}}", "needs an object at the root"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictSchema.convert(schema(c[0])), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage() + " should name " + c[1]);
        }
    }

    @Test
    void refusesObjectsNestedDeeperThanStrictModeAllows() {
        String leaf = "{\"type\": \"string\"}";
        String nested = leaf;
        for (int i = 0; i < StrictSchema.MAX_NESTING + 1; i++) nested = "{\"type\": \"object\", \"properties\": {\"n\": " + nested + "}, \"required\": [\"n\"]}";
        String tooDeep = nested;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StrictSchema.convert(schema(tooDeep)));
        assertTrue(e.getMessage().contains("deeper than " + StrictSchema.MAX_NESTING), e.getMessage());
    }
}
