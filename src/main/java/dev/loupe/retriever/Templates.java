package dev.loupe.retriever;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Json;
import dev.loupe.document.FieldPath;
import dev.loupe.filter.FilterParser;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@code {{INPUT.name}}} / {@code {{inputs.name}}} (namespace case-insensitive,
 * read as a {@link FieldPath}) against an execution's inputs. A string that is exactly
 * one template yields the input's JSON value as it is (a vector stays an array).
 *
 * <p>A template may name a default for an absent or null input:
 * {@code {{INPUT.limit | 20}}}, {@code {{INPUT.brand | default('Acme')}}}. The default is
 * read as JSON when it is JSON ({@code 20}, {@code true}, {@code "Acme"}, {@code [1, 2]}),
 * else taken as text; without one, an absent input is a 422 naming it.
 */
public final class Templates {
    private static final Pattern TEMPLATE = Pattern.compile(
            "\\{\\{\\s*(?i:inputs?)\\.([A-Za-z0-9_.\\-]+)\\s*(?:\\|\\s*(.*?)\\s*)?}}");
    private static final Pattern JSON_LITERAL = Pattern.compile("-?\\d[\\d.eE+-]*|true|false|null|\".*\"|\\[.*]|\\{.*}");
    private static final Pattern DEFAULT_CALL = Pattern.compile("(?i)default\\s*\\((.*)\\)");

    private Templates() {}

    public static JsonNode render(String text, JsonNode inputs, String where) {
        Matcher whole = TEMPLATE.matcher(text.strip());
        if (whole.matches()) return lookup(inputs, whole.group(1), whole.group(2), where);
        Matcher m = TEMPLATE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            JsonNode v = lookup(inputs, m.group(1), m.group(2), where);
            m.appendReplacement(sb, Matcher.quoteReplacement(v.isValueNode() ? v.asText() : v.toString()));
        }
        m.appendTail(sb);
        return TextNode.valueOf(sb.toString());
    }

    public static String renderText(String text, JsonNode inputs, String where) {
        JsonNode v = render(text, inputs, where);
        if (!v.isValueNode()) throw LoupeException.invalid(where, "expected text, but the input is " + v.getNodeType().name().toLowerCase());
        return v.asText();
    }

    /**
     * The input at a dot path, with or without its {@code inputs.} / {@code INPUT.} prefix
     * (as dynamic filter values write it); null when absent.
     */
    public static JsonNode input(JsonNode inputs, String ref) {
        String bare = ref.replaceFirst("(?i)^inputs?\\.", "");
        try {
            return FieldPath.parse(bare).select(inputs).orElse(null);
        } catch (FieldPath.Invalid e) {
            throw LoupeException.invalid("inputs." + bare, e.getMessage());
        }
    }

    /**
     * The inputs as a filter of {@code where} (a stage) reads them: dynamic values look them
     * up, and templates in string values render against them, so that a missing input is
     * named with the stage and the filter path of the value that needs it.
     */
    public static FilterParser.Inputs forFilters(JsonNode inputs, String where) {
        return new FilterParser.Inputs() {
            @Override
            public JsonNode dynamic(String ref) {
                return input(inputs, ref);
            }

            @Override
            public JsonNode render(String text, String path) {
                return Templates.render(text, inputs, where + ", filter value " + path);
            }
        };
    }

    private static JsonNode lookup(JsonNode inputs, String dotted, String fallback, String where) {
        JsonNode cur = input(inputs, dotted);
        if (cur != null && !cur.isNull() && !cur.isMissingNode()) return cur;
        if (fallback != null && !fallback.isEmpty()) return defaultValue(fallback);
        throw LoupeException.invalid("inputs." + dotted, "is required by " + where);
    }

    private static JsonNode defaultValue(String fallback) {
        Matcher call = DEFAULT_CALL.matcher(fallback);
        String literal = call.matches() ? call.group(1).strip() : fallback;
        if (literal.length() >= 2 && literal.startsWith("'") && literal.endsWith("'")) {
            return TextNode.valueOf(literal.substring(1, literal.length() - 1));
        }
        if (JSON_LITERAL.matcher(literal).matches()) {
            try {
                return Json.read(literal);
            } catch (RuntimeException notJson) {
                // falls through: taken as text
            }
        }
        return TextNode.valueOf(literal);
    }
}
