package dev.loupe.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilterParserTest {
    @Test
    void shorthandConditionsAndNestingParse() {
        FilterNode n = FilterParser.parseStatic(Json.read("""
                {"AND": [{"metadata.brand": "Acme"}, {"OR": [{"field": "n", "operator": "gt", "value": 3}, {"NOT": [{"field": "x", "operator": "exists", "value": true}]}]}]}"""), "filters");
        FilterNode.And and = assertInstanceOf(FilterNode.And.class, n);
        FilterNode.Condition first = assertInstanceOf(FilterNode.Condition.class, and.children().getFirst());
        assertEquals(FilterNode.Operator.EQ, first.operator());
        assertEquals("metadata.brand", first.field().toString());
        assertInstanceOf(FilterNode.Or.class, and.children().get(1));
        assertInstanceOf(FilterNode.All.class, FilterParser.parseStatic(Json.read("{}"), "filters"));
    }

    @Test
    void errorsSayWhere() {
        LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> FilterParser.parseStatic(
                Json.read("{\"AND\": [{}, {\"field\": \"a\", \"operator\": \"approx\", \"value\": 1}]}"), "filters"));
        assertEquals("filters.AND[1].operator", e.field());
        assertTrue(e.getMessage().contains("unknown operator 'approx'"));
        assertEquals("filters.value", assertThrows(LoupeException.Invalid.class, () -> FilterParser.parseStatic(
                Json.read("{\"field\": \"a\", \"operator\": \"in\", \"value\": 1}"), "filters")).field());
    }

    @Test
    void dynamicValuesComeFromTheInputs() {
        FilterParser parser = new FilterParser(ref -> ref.equals("inputs.user") ? TextNode.valueOf("u1") : null);
        FilterNode.Condition c = assertInstanceOf(FilterNode.Condition.class, parser.parse(
                Json.read("{\"field\": \"owner\", \"operator\": \"eq\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.user\"}}"), "f"));
        assertEquals("u1", c.value().asText());
        assertThrows(LoupeException.Invalid.class, () -> parser.parse(
                Json.read("{\"field\": \"owner\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.other\"}}"), "f"));
    }

    @Test
    void withoutInputsATemplateIsLiteralTextAndADeferredOneIsUnchecked() {
        FilterNode.Condition literal = assertInstanceOf(FilterNode.Condition.class, FilterParser.parseStatic(
                Json.read("{\"field\": \"code\", \"value\": \"{{INPUT.x}}\"}"), "filters"));
        assertEquals("{{INPUT.x}}", literal.value().asText(), "documents/list has no inputs to render");
        assertThrows(LoupeException.Invalid.class, () -> FilterParser.parseStatic(Json.read("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"{{INPUT.x}}\"}"), "f"));
        FilterParser.tree(Json.read("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"{{INPUT.x}}\"}"), "f");
        FilterParser.tree(Json.read("{\"field\": \"c\", \"operator\": \"nin\", \"value\": [\"a\", \"{{INPUT.x}}\"]}"), "f");
        FilterParser.tree(Json.read("{\"field\": \"c\", \"operator\": \"gt\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.min\"}}"), "f");
        LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> FilterParser.tree(Json.read("{\"field\": \"c\", \"operator\": \"in\", \"value\": \"a\"}"), "f"));
        assertEquals("f.value", e.field(), "a value known now is still checked");
    }

    @Test
    void halfASurrogatePairIsRefusedWhereverAStringEntersAFilter() {
        // Jackson reads the escape "\\ud83d" alone as one lone high surrogate.
        String lone = "x\\ud83dy";
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("{\"field\": \"a\", \"value\": \"%s\"}", "f.value");
        refused.put("{\"a.b\": \"%s\"}", "f.a.b");
        refused.put("{\"AND\": [{\"field\": \"a\", \"operator\": \"in\", \"value\": [\"ok\", \"%s\"]}]}", "f.AND[0].value[1]");
        refused.put("{\"field\": \"a\", \"operator\": \"starts_with\", \"value\": \"%s\"}", "f.value");
        refused.put("{\"field\": \"a.%s\", \"value\": 1}", "f.field");
        refused.put("{\"%s\": 1}", "f.%s");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            String json = e.getKey().formatted(lone);
            LoupeException.Invalid error = assertThrows(LoupeException.Invalid.class, () -> FilterParser.parseStatic(Json.read(json), "f"), json);
            assertEquals(e.getValue().formatted("x\ud83dy"), error.field(), json);
            int at = e.getKey().contains("a.%s") ? 3 : 1;
            assertTrue(error.getMessage().contains("lone UTF-16 surrogate at character " + at), error.getMessage());
        }
        FilterParser fromInputs = new FilterParser(ref -> TextNode.valueOf("\udc00"));
        LoupeException.Invalid dynamic = assertThrows(LoupeException.Invalid.class, () -> fromInputs.parse(
                Json.read("{\"field\": \"a\", \"value\": {\"type\": \"dynamic\", \"field\": \"inputs.q\"}}"), "f"));
        assertEquals("f.value", dynamic.field());
        assertTrue(dynamic.getMessage().contains("at character 0 (from input 'inputs.q')"), dynamic.getMessage());
        FilterParser rendering = FilterParser.withInputs(new FilterParser.Inputs() {
            @Override
            public com.fasterxml.jackson.databind.JsonNode dynamic(String ref) {
                return null;
            }

            @Override
            public com.fasterxml.jackson.databind.JsonNode render(String text, String path) {
                return TextNode.valueOf("ok\ud800");
            }
        });
        assertEquals("f.value[0]", assertThrows(LoupeException.Invalid.class, () -> rendering.parse(
                Json.read("{\"field\": \"a\", \"operator\": \"in\", \"value\": [\"{{INPUT.q}}\"]}"), "f")).field());
        FilterNode.Condition pair = assertInstanceOf(FilterNode.Condition.class,
                FilterParser.parseStatic(Json.read("{\"a\": \"x\\ud83d\\ude00y\"}"), "f"));
        assertEquals("x😀y", pair.value().asText(), "a whole pair is valid");
    }

    @Test
    void aFilterStringLongerThanAnIndexTermIsRefusedAndOneAsLongIsTaken() {
        String longest = "a".repeat(FilterValues.MAX_TERM_CHARS);
        FilterParser.parseStatic(Json.read("{\"field\": \"a\", \"value\": \"" + longest + "\"}"), "f");
        LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> FilterParser.parseStatic(
                Json.read("{\"field\": \"a\", \"operator\": \"nin\", \"value\": [\"b\", \"" + longest + "a\"]}"), "f"));
        assertEquals("f.value[1]", e.field());
        assertTrue(e.getMessage().contains("is 8001 characters long; a filter string holds at most 8000"), e.getMessage());
    }

    @Test
    void aTermIsCutAtTheLimitWithoutSplittingASurrogatePair() {
        String pairAcross = "a".repeat(FilterValues.MAX_TERM_CHARS - 1) + "😀b";
        assertEquals("a".repeat(FilterValues.MAX_TERM_CHARS - 1), FilterValues.term(pairAcross));
        String pairWithin = "a".repeat(FilterValues.MAX_TERM_CHARS - 2) + "😀b";
        assertEquals("a".repeat(FilterValues.MAX_TERM_CHARS - 2) + "😀", FilterValues.term(pairWithin));
        assertEquals("short", FilterValues.term("short"));
    }

    @Test
    void aRegexTheIndexCannotTakeIsA422NamingItsPath() {
        StringBuilder manyClasses = new StringBuilder(".*[");
        for (int i = 0; i < 300; i++) manyClasses.appendCodePoint(0x4e00 + 3 * i); // 600 character classes
        String wideTable = manyClasses.append("].{0,12}").toString();           // × 8,192 states
        String[] refused = {"\\bword\\b", "\\Qa.b\\E", "[ac]*a[ac]{50,200}", "(a{1,999}){1,999}", "([", wideTable,
                "a".repeat(FilterRegex.MAX_PATTERN_LENGTH + 1)};
        for (String pattern : refused) {
            ObjectNode filter = Json.object();
            filter.putArray("AND").addObject().put("field", "sku").put("operator", "regex").put("value", pattern);
            LoupeException.Invalid e = assertThrows(LoupeException.Invalid.class, () -> FilterParser.parseStatic(filter, "filters"), pattern);
            assertEquals("filters.AND[0].value", e.field(), pattern);
            assertTrue(e.getMessage().contains("regular expression"), e.getMessage());
        }
        LoupeException.Invalid deferred = assertThrows(LoupeException.Invalid.class, () -> FilterParser.tree(
                Json.read("{\"field\": \"sku\", \"operator\": \"regex\", \"value\": \"\\\\b\"}"), "pre_filters"));
        assertEquals("pre_filters.value", deferred.field(), "a literal pattern is checked when a retriever is saved");
    }

    @Test
    void aRegexIsCompiledOnceAndConditionsStayComparable() {
        String filter = "{\"field\": \"sku\", \"operator\": \"regex\", \"value\": \"SKU-[0-9]+\"}";
        FilterNode.Condition a = assertInstanceOf(FilterNode.Condition.class, FilterParser.parseStatic(Json.read(filter), "f"));
        assertEquals("SKU-[0-9]+", a.regex().pattern());
        assertEquals(a, FilterParser.parseStatic(Json.read(filter), "f"), "equal patterns make equal conditions");
        assertEquals(null, assertInstanceOf(FilterNode.Condition.class, FilterParser.parseStatic(Json.read("{\"sku\": \"x\"}"), "f")).regex());
    }

    @Test
    void catastrophicPatternsMatchInOnePassOverTheValue() {
        // Backtracking engines take exponential time (or overflow the stack) on these; an automaton reads each character once.
        // Within a term's length: past it, the index and the matcher see only the first characters.
        String as = "a".repeat(FilterValues.MAX_TERM_CHARS - 1);
        ObjectNode doc = Json.object().put("plain", as).put("spoiled", as + "!");
        for (String pattern : new String[] {"(a|aa)+", "((a+)+)+", "(a*)*", "(.*a){12}"}) {
            assertTrue(FilterMatcher.matches(regex("plain", pattern), doc), pattern);
            assertFalse(FilterMatcher.matches(regex("spoiled", pattern), doc), pattern);
        }
    }

    @Test
    void inMemoryRegexesUseLuceneSyntaxAndMatchWholeValues() {
        ObjectNode doc = Json.object().put("sku", "item-17").put("title", "red leather bag");
        assertTrue(FilterMatcher.matches(regex("sku", "item-<1-20>"), doc), "a numeric interval");
        assertFalse(FilterMatcher.matches(regex("sku", "item-<1-9>"), doc));
        assertTrue(FilterMatcher.matches(regex("title", "red@"), doc), "@ is any string");
        assertTrue(FilterMatcher.matches(regex("title", ".*leather.*&red.*"), doc), "& intersects");
        assertFalse(FilterMatcher.matches(regex("title", "leather"), doc), "the whole value must match");
        assertTrue(FilterMatcher.matches(regex("sku", "\\w+-\\d+"), doc), "predefined classes");
        assertTrue(FilterMatcher.matches(regex("sku", "(".repeat(490) + "item-17" + ")".repeat(490)), doc), "deep nesting within the length limit");
    }

    private static FilterNode regex(String field, String pattern) {
        return FilterParser.parseStatic(Json.object().put("field", field).put("operator", "regex").put("value", pattern), "f");
    }
}
