package dev.loupe.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.loupe.api.LoupeException;
import dev.loupe.document.FieldPath;
import java.util.List;

/**
 * A filter parsed once ({@link FilterParser#tree}) whose values may be {@linkplain FilterValue.Bound bound}
 * to an execution's inputs; {@link #bind} gives the {@link FilterNode} the index and the matcher
 * evaluate. Everything known when the filter is parsed (structure, fields, operators, literal
 * values and patterns) was checked then; binding checks only the bound values.
 */
public sealed interface FilterTree {

    /** A part with no bound value, already a {@link FilterNode}. */
    record Fixed(FilterNode node) implements FilterTree {
    }

    record And(List<FilterTree> children) implements FilterTree {
        public And {
            children = List.copyOf(children);
        }
    }

    record Or(List<FilterTree> children) implements FilterTree {
        public Or {
            children = List.copyOf(children);
        }
    }

    record Not(List<FilterTree> children) implements FilterTree {
        public Not {
            children = List.copyOf(children);
        }
    }

    /** A condition whose value is bound at execution; {@code path} is the value's JSON path, for errors. */
    record Pending(FieldPath field, FilterNode.Operator operator, FilterValue.Bound value, String path) implements FilterTree {
    }

    /** Whether the filter takes no values from inputs. */
    default boolean isFixed() {
        return this instanceof Fixed;
    }

    /**
     * The filter with its bound values taken from {@code inputs}.
     *
     * @throws LoupeException a 422 naming the input and the filter path when an input is absent
     *     or its value does not suit the operator
     */
    default FilterNode bind(FilterParser.Inputs inputs) {
        return switch (this) {
            case Fixed f -> f.node();
            case And a -> new FilterNode.And(a.children().stream().map(c -> c.bind(inputs)).toList());
            case Or o -> new FilterNode.Or(o.children().stream().map(c -> c.bind(inputs)).toList());
            case Not n -> new FilterNode.Not(n.children().stream().map(c -> c.bind(inputs)).toList());
            case Pending p -> {
                JsonNode value = resolve(p.value(), inputs, p.path());
                FilterParser.checkValue(p.operator(), value, p.path(), " (from " + source(p.value()) + ")");
                try {
                    yield new FilterNode.Condition(p.field(), p.operator(), value);
                } catch (FilterRegex.Invalid e) {
                    throw LoupeException.invalid(p.path(), e.getMessage() + " (from " + source(p.value()) + ")");
                }
            }
        };
    }

    private static JsonNode resolve(FilterValue value, FilterParser.Inputs inputs, String path) {
        return switch (value) {
            case FilterValue.Literal l -> l.value();
            case FilterValue.Dynamic d -> {
                JsonNode v = inputs.dynamic(d.input());
                if (v == null || v.isMissingNode()) throw LoupeException.invalid(path, "dynamic value '" + d.input() + "' is not among the inputs");
                yield v;
            }
            case FilterValue.Template t -> inputs.render(t.text(), path);
            case FilterValue.Elements e -> {
                ArrayNode out = JsonNodeFactory.instance.arrayNode(e.items().size());
                for (int i = 0; i < e.items().size(); i++) {
                    FilterValue item = e.items().get(i);
                    JsonNode v = resolve(item, inputs, path + "[" + i + "]");
                    if (item instanceof FilterValue.Bound && v.isArray()) out.addAll((ArrayNode) v);
                    else out.add(v);
                }
                yield out;
            }
        };
    }

    /** The inputs a bound value reads, in words, for error messages. */
    private static String source(FilterValue value) {
        return switch (value) {
            case FilterValue.Literal l -> "a literal";
            case FilterValue.Dynamic d -> "input '" + d.input() + "'";
            case FilterValue.Template t -> "template '" + t.text() + "'";
            case FilterValue.Elements e -> "the list's inputs";
        };
    }
}
