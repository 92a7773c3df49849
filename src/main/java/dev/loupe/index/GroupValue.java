package dev.loupe.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.filter.FilterMatcher;
import dev.loupe.filter.FilterValues;
import java.util.Comparator;

/**
 * A value a grouped field holds, as every index keeps it: a number, a keyword term (a string or
 * a boolean, cut to {@link FilterValues#term}'s length), or null. Shared by the engines so that
 * groups come out in one order whichever engine answers.
 */
public sealed interface GroupValue {
    record Number(double value) implements GroupValue {
    }

    record Text(String value) implements GroupValue {
    }

    record Null() implements GroupValue {
    }

    /** Numbers, then terms (in code point order, the indexes'), then null; within a kind by value, reversed when {@code descending}. */
    static Comparator<GroupValue> order(boolean descending) {
        Comparator<GroupValue> byValue = (a, b) -> switch (a) {
            case Number x -> Double.compare(x.value(), ((Number) b).value());
            case Text x -> FilterValues.compareText(x.value(), ((Text) b).value());
            case Null x -> 0;
        };
        return Comparator.comparingInt(GroupValue::rank).thenComparing(descending ? byValue.reversed() : byValue);
    }

    private int rank() {
        return switch (this) {
            case Number n -> 0;
            case Text t -> 1;
            case Null n -> 2;
        };
    }

    /** The value as {@code member} holds it at {@code field}: a term may be a boolean, a number an integer. */
    default JsonNode json(IndexedDocument member, String field) {
        for (JsonNode v : FilterMatcher.values(member.fields(), field)) {
            boolean same = switch (this) {
                case Number n -> v.isNumber() && v.asDouble() == n.value();
                case Text t -> (v.isTextual() || v.isBoolean()) && FilterValues.term(v.asText()).equals(t.value());
                case Null n -> v.isNull();
            };
            if (same) return v;
        }
        return switch (this) {
            case Number n -> DoubleNode.valueOf(n.value());
            case Text t -> TextNode.valueOf(t.value());
            case Null n -> NullNode.instance;
        };
    }
}
