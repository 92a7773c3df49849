package dev.loupe.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link Filters#translate} makes of each operator, written out by primitives that print
 * themselves, so that each rule is read here once for every index (the contract tests then prove
 * each index's primitives on real documents).
 */
class FiltersTest {
    /** Every primitive as a term: and(...), or(...), not(...), has(f), str(f=v), num(f=v) ... */
    private static final FilterPrimitives<String> PRINTED = new FilterPrimitives<>() {
        public String all() {
            return "all";
        }

        public String none(String why) {
            return "none";
        }

        public String and(List<String> clauses) {
            return "and(" + String.join(", ", clauses) + ")";
        }

        public String or(List<String> clauses) {
            return "or(" + String.join(", ", clauses) + ")";
        }

        public String not(String q) {
            return "not(" + q + ")";
        }

        public String exists(String field) {
            return "has(" + field + ")";
        }

        public String isNull(String field) {
            return "null(" + field + ")";
        }

        public String stringTerm(String field, String value) {
            return "str(" + field + "=" + value + ")";
        }

        public String stringRange(String field, String lower, boolean li, String upper, boolean ui) {
            return "str(" + field + (li ? "[" : "{") + lower + ".." + upper + (ui ? "]" : "}") + ")";
        }

        public String stringPrefix(String field, String prefix) {
            return "str(" + field + "=" + prefix + "*)";
        }

        public String stringSuffix(String field, String suffix) {
            return "str(" + field + "=*" + suffix + ")";
        }

        public String stringInfix(String field, String infix) {
            return "str(" + field + "=*" + infix + "*)";
        }

        public String stringRegex(String field, FilterRegex regex) {
            return "str(" + field + "~" + regex.pattern() + ")";
        }

        public String numberEquals(String field, double value) {
            return "num(" + field + "=" + value + ")";
        }

        public String numberRange(String field, Double lower, boolean li, Double upper, boolean ui) {
            return "num(" + field + (li ? "[" : "{") + lower + ".." + upper + (ui ? "]" : "}") + ")";
        }

        public String word(String field, String word) {
            return "word(" + field + "=" + word + ")";
        }
    };

    private static FilterNode filter(String json) {
        return FilterParser.parseStatic(Json.parseRequest(json), "filters");
    }

    private static String printed(String json) {
        return Filters.translate(filter(json), PRINTED);
    }

    @Test
    void aValueThatReadsAsANumberMeetsNumberFieldsAndStringFieldsAsItsText() {
        assertEquals("or(num(n=7.0), str(n=7))", printed("{\"n\": \"7\"}"));
        assertEquals("or(num(n=7.0), str(n=7))", printed("{\"n\": 7}"));
        assertEquals("str(n=seven)", printed("{\"n\": \"seven\"}"));
        assertEquals("or(num(n{2.5..null]), str(n{2.5..null]))", printed("{\"field\": \"n\", \"operator\": \"gt\", \"value\": 2.5}"));
    }

    @Test
    void negatedConditionsRequireTheField() {
        assertEquals("and(has(brand), not(str(brand=Acme)))", printed("{\"field\": \"brand\", \"operator\": \"ne\", \"value\": \"Acme\"}"));
        assertEquals("and(has(d), not(null(d)))", printed("{\"field\": \"d\", \"operator\": \"is_null\", \"value\": false}"));
        assertEquals("not(has(d))", printed("{\"field\": \"d\", \"operator\": \"exists\", \"value\": false}"));
    }

    @Test
    void anEmptyInListMatchesNothingAndAnEmptyNinListEveryDocumentWithTheField() {
        assertEquals("none", printed("{\"field\": \"n\", \"operator\": \"in\", \"value\": []}"));
        assertEquals("and(has(n), not(none))", printed("{\"field\": \"n\", \"operator\": \"nin\", \"value\": []}"));
    }

    @Test
    void eqWithNullIsIsNullAndEqWithAnArrayIsIn() {
        assertEquals("null(d)", printed("{\"d\": null}"));
        assertEquals("or(str(t=a), str(t=b))", printed("{\"field\": \"t\", \"operator\": \"eq\", \"value\": [\"a\", \"b\"]}"));
    }

    @Test
    void textNeedsEveryLowerCasedWordAndOneWithoutWordsMatchesNothing() {
        assertEquals("and(word(title=red), word(title=shoe))", printed("{\"field\": \"title\", \"operator\": \"text\", \"value\": \"Red SHOE\"}"));
        assertEquals("none", printed("{\"field\": \"title\", \"operator\": \"text\", \"value\": \"?!\"}"));
    }

    /** {"OR": []} matched every document in the index but none in memory; both now impose nothing, like {}. */
    @Test
    void anEmptyGroupImposesNothingInTheIndexAndInMemory() {
        for (String group : List.of("AND", "OR", "NOT")) {
            FilterNode node = filter("{\"" + group + "\": []}");
            assertEquals("all", Filters.translate(node, PRINTED), group);
            assertTrue(FilterMatcher.matches(node, Json.object().put("brand", "Acme")), group);
        }
    }
}
