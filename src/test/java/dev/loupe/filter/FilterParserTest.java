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
        String as = "a".repeat(20_000);
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
