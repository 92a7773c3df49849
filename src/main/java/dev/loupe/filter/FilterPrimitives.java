package dev.loupe.filter;

import java.util.List;

/**
 * What an index can express, in its own query type {@code Q}: {@link Filters#translate} builds
 * every {@link FilterNode} from these, so what each operator means (coercions, negations, edge
 * cases) is decided once and an index only says how it writes each primitive.
 *
 * <p>{@code field} is always the filter's field path ({@code metadata.year}); the index maps it
 * to its own field kinds: keyword strings ({@code string*}), numbers ({@code number*}), analysed
 * words ({@link #word}), and the presence and null markers ({@link #exists}, {@link #isNull}).
 */
public interface FilterPrimitives<Q> {
    /** Every document. */
    Q all();

    /** No document; {@code why} may be shown when the query is explained. */
    Q none(String why);

    /** Documents every clause matches; {@code clauses} holds at least one. */
    Q and(List<Q> clauses);

    /** Documents some clause matches; {@code clauses} holds at least one. */
    Q or(List<Q> clauses);

    /** Every document that {@code q} does not match. */
    Q not(Q q);

    /** Documents where {@code field} is present (with any value, null or an empty array included). */
    Q exists(String field);

    /** Documents where {@code field} holds a JSON null. */
    Q isNull(String field);

    /** Documents where {@code field} holds the string (or boolean, as text) {@code value}, as the index keeps it as a term. */
    Q stringTerm(String field, String value);

    /** Documents where {@code field} holds a string in the range; a null bound is open. */
    Q stringRange(String field, String lower, boolean lowerInclusive, String upper, boolean upperInclusive);

    /** Documents where {@code field} holds a string that starts with {@code prefix}. */
    Q stringPrefix(String field, String prefix);

    /** Documents where {@code field} holds a string that ends with {@code suffix}. */
    Q stringSuffix(String field, String suffix);

    /** Documents where {@code field} holds a string with {@code infix} somewhere in it. */
    Q stringInfix(String field, String infix);

    /** Documents where {@code field} holds a string that {@code regex} matches whole. */
    Q stringRegex(String field, FilterRegex regex);

    /** Documents where {@code field} holds the number {@code value}. */
    Q numberEquals(String field, double value);

    /** Documents where {@code field} holds a number in the range; a null bound is open. */
    Q numberRange(String field, Double lower, boolean lowerInclusive, Double upper, boolean upperInclusive);

    /** Documents where one of {@code field}'s strings has the word {@code word} ({@link Words}). */
    Q word(String field, String word);
}
