package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.api.LoupeException;
import dev.loupe.api.Body;
import dev.loupe.document.FieldPath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Parses Mixpeek's filter JSON into a {@link FilterNode}:
 * <ul>
 *   <li>{@code {"AND": [...], "OR": [...], "NOT": [...]}}, nested freely (keys present together are ANDed);</li>
 *   <li>a condition {@code {"field": "metadata.brand", "operator": "eq", "value": "Acme"}};</li>
 *   <li>the shorthand {@code {"metadata.brand": "Acme"}} for {@code eq};</li>
 *   <li>a value {@code {"type": "dynamic", "field": "inputs.user_id"}} taken from the execution inputs;</li>
 *   <li>a string value holding templates ({@code "{{INPUT.brand}}"}, also as an element of an
 *       {@code in} list), rendered against the execution inputs.</li>
 * </ul>
 * A filter is parsed once into a {@link FilterTree} ({@link #tree}), whose dynamic values and
 * templates are {@linkplain FilterValue.Bound bound} at each execution; fields are {@link FieldPath}s.
 * Errors are 422s whose field is the JSON path of the offending part.
 */
public final class FilterParser {
    private static final List<String> LOGICAL = List.of("AND", "OR", "NOT");
    /** Where a filter's dynamic values and templates get their values: an execution's inputs. */
    public interface Inputs {
        /** The input a dynamic value names ({@code inputs.user_id}), or null when it is absent. */
        JsonNode dynamic(String ref);

        /**
         * A string value with its templates rendered: one whole template keeps the input's
         * JSON type, a template inside longer text renders to text, and text without templates
         * stays as it is. A missing input without a default is a 422 naming it and {@code path}.
         */
        JsonNode render(String text, String path);
    }

    /** Where no inputs exist ({@code documents/list}): strings are literal, dynamic values refused. */
    private static final Inputs NONE = new Inputs() {
        @Override
        public JsonNode dynamic(String ref) {
            throw new IllegalStateException("unreachable: dynamic values are refused before lookup");
        }

        @Override
        public JsonNode render(String text, String path) {
            return TextNode.valueOf(text);
        }
    };

    private final Inputs inputs;

    /** @param dynamicValues resolves {@code inputs.x} paths; null where no inputs exist. Strings are taken literally. */
    public FilterParser(Function<String, JsonNode> dynamicValues) {
        this(dynamicValues == null ? NONE : new Inputs() {
            @Override
            public JsonNode dynamic(String ref) {
                return dynamicValues.apply(ref);
            }

            @Override
            public JsonNode render(String text, String path) {
                return TextNode.valueOf(text);
            }
        });
    }

    private FilterParser(Inputs inputs) {
        this.inputs = inputs;
    }

    /** A parser whose dynamic values and templates take their values from {@code inputs}. */
    public static FilterParser withInputs(Inputs inputs) {
        return new FilterParser(inputs);
    }

    public static FilterNode parseStatic(JsonNode node, String path) {
        return new FilterParser(NONE).parse(node, path);
    }

    /** Parses and binds at once, for filters used where they are given. */
    public FilterNode parse(JsonNode node, String path) {
        return tree(node, path, inputs != NONE).bind(inputs);
    }

    /**
     * Parses a filter once, for executions to {@linkplain FilterTree#bind bind}: dynamic values
     * and templates become {@link FilterValue.Bound} values, everything else is checked now.
     */
    public static FilterTree tree(JsonNode node, String path) {
        return tree(node, path, true);
    }

    private static FilterTree tree(JsonNode node, String path, boolean inputsExist) {
        return new TreeParser(inputsExist).parse(node, path);
    }

    /** One parse: {@code inputsExist} false refuses dynamic values (there is nothing to bind them to). */
    private record TreeParser(boolean inputsExist) {
        FilterTree parse(JsonNode node, String path) {
            if (node == null || node.isNull() || node.isMissingNode()) return new FilterTree.Fixed(FilterNode.ALL);
            if (!node.isObject()) throw LoupeException.invalid(path, "a filter must be a JSON object, got " + Body.kind(node));
            if (node.isEmpty()) return new FilterTree.Fixed(FilterNode.ALL);
            if (node.has("field") && (node.has("operator") || node.has("value"))) return condition(node, path);
            List<FilterTree> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String key = e.getKey();
                String upper = key.toUpperCase(Locale.ROOT);
                if (LOGICAL.contains(upper)) {
                    List<FilterTree> children = children(e.getValue(), path + "." + key);
                    parts.add(simplify(switch (upper) {
                        case "AND" -> new FilterTree.And(children);
                        case "OR" -> new FilterTree.Or(children);
                        default -> new FilterTree.Not(children);
                    }));
                } else if (key.equals("case_sensitive")) {
                    continue; // accepted for compatibility; matching is exact
                } else {
                    parts.add(condition(fieldPath(key, path + "." + key), FilterNode.Operator.EQ, e.getValue(), path + "." + key));
                }
            }
            if (parts.isEmpty()) return new FilterTree.Fixed(FilterNode.ALL);
            return simplify(parts.size() == 1 ? parts.getFirst() : new FilterTree.And(parts));
        }

        private List<FilterTree> children(JsonNode arr, String path) {
            if (!arr.isArray()) throw LoupeException.invalid(path, "must be an array of filters, got " + Body.kind(arr));
            List<FilterTree> out = new ArrayList<>();
            for (int i = 0; i < arr.size(); i++) out.add(parse(arr.get(i), path + "[" + i + "]"));
            return out;
        }

        private FilterTree condition(JsonNode node, String path) {
            JsonNode field = node.get("field");
            if (field == null || !field.isTextual() || field.asText().isBlank()) {
                throw LoupeException.invalid(path + ".field", "must be a non-empty string");
            }
            String opName = node.path("operator").asText("eq");
            FilterNode.Operator op;
            try {
                op = FilterNode.Operator.valueOf(opName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw LoupeException.invalid(path + ".operator", "unknown operator '" + opName + "'; expected one of "
                        + Arrays.stream(FilterNode.Operator.values()).map(FilterNode.Operator::wireName).toList());
            }
            return condition(fieldPath(field.asText(), path + ".field"), op, node.get("value"), path + ".value");
        }

        private FilterTree condition(FieldPath field, FilterNode.Operator op, JsonNode raw, String path) {
            FilterValue value = value(raw, path);
            if (value instanceof FilterValue.Bound bound) return new FilterTree.Pending(field, op, bound, path);
            JsonNode literal = ((FilterValue.Literal) value).value();
            checkValue(op, literal, path, "");
            try {
                return new FilterTree.Fixed(new FilterNode.Condition(field, op, literal));
            } catch (FilterRegex.Invalid e) {
                throw LoupeException.invalid(path, e.getMessage());
            }
        }

        private FilterValue value(JsonNode v, String path) {
            if (v != null && v.isObject() && "dynamic".equals(v.path("type").asText())) {
                String ref = v.path("field").asText("");
                if (ref.isBlank()) throw LoupeException.invalid(path + ".field", "a dynamic value must name its field");
                if (!inputsExist) throw LoupeException.invalid(path, "dynamic values are only allowed where inputs exist");
                return new FilterValue.Dynamic(ref);
            }
            if (v != null && v.isTextual() && inputsExist && v.asText().contains("{{")) return new FilterValue.Template(v.asText());
            if (v != null && v.isArray()) {
                List<FilterValue> items = new ArrayList<>();
                boolean bound = false;
                for (int i = 0; i < v.size(); i++) {
                    JsonNode item = v.get(i);
                    // Only strings may be templates here: a dynamic-looking object inside a list stays a literal, as before.
                    FilterValue fv = item.isTextual() ? value(item, path + "[" + i + "]") : new FilterValue.Literal(item);
                    bound |= fv instanceof FilterValue.Bound;
                    items.add(fv);
                }
                return bound ? new FilterValue.Elements(items) : new FilterValue.Literal(v);
            }
            return new FilterValue.Literal(v == null ? NullNode.instance : v);
        }
    }

    /** A logical node whose children are all fixed is fixed itself, so a filter without bound values binds to itself. */
    private static FilterTree simplify(FilterTree t) {
        List<FilterTree> children = switch (t) {
            case FilterTree.And a -> a.children();
            case FilterTree.Or o -> o.children();
            case FilterTree.Not n -> n.children();
            case FilterTree.Fixed f -> List.of();
            case FilterTree.Pending p -> List.of();
        };
        if (t instanceof FilterTree.Fixed || t instanceof FilterTree.Pending || !children.stream().allMatch(FilterTree::isFixed)) return t;
        return new FilterTree.Fixed(t.bind(NONE));
    }

    /**
     * Refuses strings the index cannot compare as they are: half a surrogate pair (it has no
     * UTF-8 form, so the index would hold U+FFFD in its place) and strings longer than a term
     * ({@link FilterValues#MAX_TERM_CHARS}: no indexed term is longer).
     */
    private static void checkStrings(JsonNode value, String path, String from) {
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) checkStrings(value.get(i), path + "[" + i + "]", from);
            return;
        }
        if (!value.isTextual()) return;
        String s = value.asText();
        int lone = Body.loneSurrogate(s);
        if (lone >= 0) throw LoupeException.invalid(path, "holds a lone UTF-16 surrogate at character " + lone + from + "; send valid Unicode");
        if (s.length() > FilterValues.MAX_TERM_CHARS) {
            throw LoupeException.invalid(path, "is " + s.length() + " characters long" + from + "; a filter string holds at most "
                    + FilterValues.MAX_TERM_CHARS);
        }
    }

    private static FieldPath fieldPath(String text, String path) {
        try {
            return FieldPath.parse(text);
        } catch (FieldPath.Invalid e) {
            throw LoupeException.invalid(path, e.getMessage());
        }
    }

    /**
     * Checks a value's type against its operator; {@code from} names where a bound value came
     * from (empty for a literal).
     */
    static void checkValue(FilterNode.Operator op, JsonNode value, String path, String from) {
        checkStrings(value, path, from);
        switch (op) {
            case IN, NIN -> {
                if (!value.isArray()) throw LoupeException.invalid(path, op.wireName() + " needs an array, got " + Body.kind(value) + from);
            }
            case GT, LT, GTE, LTE -> {
                if (!value.isNumber() && !value.isTextual()) {
                    throw LoupeException.invalid(path, op.wireName() + " needs a number or a string, got " + Body.kind(value) + from);
                }
            }
            case STARTS_WITH, ENDS_WITH, REGEX, TEXT -> {
                if (!value.isTextual()) throw LoupeException.invalid(path, op.wireName() + " needs a string, got " + Body.kind(value) + from);
            }
            case EXISTS, IS_NULL -> {
                if (!value.isBoolean() && !value.isNull()) {
                    throw LoupeException.invalid(path, op.wireName() + " needs true or false, got " + Body.kind(value) + from);
                }
            }
            case EQ, NE, CONTAINS -> {
                if (value.isObject()) throw LoupeException.invalid(path, op.wireName() + " cannot compare with an object" + from);
            }
        }
    }
}
