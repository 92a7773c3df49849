package dev.loupe.filter;

import org.apache.lucene.util.automaton.Automaton;
import org.apache.lucene.util.automaton.CharacterRunAutomaton;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.RegExp;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

/**
 * A {@code regex} filter's pattern, compiled once to a deterministic automaton in Lucene's
 * regular-expression syntax ({@link RegExp}, all syntax flags, as {@code RegexpQuery} reads it).
 * The index searches with this very automaton and documents in memory are run through it, so
 * both evaluators give a pattern one meaning: it must match the whole value, and matching
 * takes time linear in the value's length whatever the pattern (no backtracking).
 * Equal when their patterns are equal.
 */
public final class FilterRegex {
    /** Longer patterns are refused: a filter is a query, not a program. */
    public static final int MAX_PATTERN_LENGTH = 1_000;
    /**
     * How much the pattern may expand before determinisation (states of the nondeterministic
     * automaton, estimated from its syntax tree): counted repeats multiply, so
     * {@code (a{1,999}){1,999}} would build a million states before the work limit applies.
     */
    static final long MAX_EXPANDED_SIZE = 5_000;
    /** The in-memory matcher's transition table is states × character classes ints; this caps it at 16 MB. */
    static final long MAX_TABLE_CELLS = 4_000_000;
    /** Lucene's own default for {@code RegexpQuery}, so a pattern the index takes is taken here. */
    static final int DETERMINIZE_WORK_LIMIT = Operations.DEFAULT_DETERMINIZE_WORK_LIMIT;

    private final String pattern;
    private final Automaton automaton;
    private final CharacterRunAutomaton run;

    private FilterRegex(String pattern, Automaton automaton) {
        this.pattern = pattern;
        this.automaton = automaton;
        this.run = new CharacterRunAutomaton(automaton);
    }

    /** A pattern that cannot be taken, with the reason in words. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }

    /**
     * Compiles {@code pattern}.
     *
     * @throws Invalid when Lucene refuses its syntax, it is too long, or it is too complex to determinise
     */
    public static FilterRegex compile(String pattern) {
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new Invalid("regular expression is " + pattern.length() + " characters long; at most " + MAX_PATTERN_LENGTH + " are allowed");
        }
        RegExp parsed;
        try {
            parsed = new RegExp(pattern, RegExp.ALL);
        } catch (IllegalArgumentException e) {
            throw new Invalid("invalid regular expression (Lucene syntax: no \\b, \\Q…\\E, lookaround or backreferences): " + e.getMessage());
        }
        if (expandedSize(parsed) > MAX_EXPANDED_SIZE) {
            throw new Invalid("regular expression is too complex: its counted repetitions expand beyond " + MAX_EXPANDED_SIZE + " states");
        }
        Automaton dfa;
        try {
            dfa = Operations.determinize(parsed.toAutomaton(), DETERMINIZE_WORK_LIMIT);
        } catch (TooComplexToDeterminizeException e) {
            throw new Invalid("regular expression is too complex: determinising it needs more than " + DETERMINIZE_WORK_LIMIT + " units of work");
        } catch (IllegalArgumentException e) {
            throw new Invalid("invalid regular expression: " + e.getMessage());
        }
        long table = (long) dfa.getNumStates() * dfa.getStartPoints().length;
        if (table > MAX_TABLE_CELLS) {
            throw new Invalid("regular expression is too complex: its matcher would need " + table + " table cells, over " + MAX_TABLE_CELLS);
        }
        return new FilterRegex(pattern, dfa);
    }

    /** An estimate, from above, of the states {@link RegExp#toAutomaton()} builds, saturating at {@link Long#MAX_VALUE}. */
    private static long expandedSize(RegExp r) {
        return switch (r.kind) {
            case REGEXP_UNION, REGEXP_CONCATENATION, REGEXP_INTERSECTION -> add(expandedSize(r.exp1), expandedSize(r.exp2));
            case REGEXP_OPTIONAL, REGEXP_REPEAT, REGEXP_COMPLEMENT, REGEXP_DEPRECATED_COMPLEMENT -> add(expandedSize(r.exp1), 1);
            case REGEXP_REPEAT_MIN -> times(expandedSize(r.exp1), (long) r.min + 1);
            case REGEXP_REPEAT_MINMAX -> times(expandedSize(r.exp1), Math.max(r.max, 1));
            case REGEXP_STRING -> r.s.length() + 1L;
            case REGEXP_INTERVAL -> 10L * (r.digits + 1);
            case REGEXP_CHAR, REGEXP_CHAR_RANGE, REGEXP_CHAR_CLASS, REGEXP_ANYCHAR, REGEXP_EMPTY, REGEXP_ANYSTRING, REGEXP_AUTOMATON -> 2;
        };
    }

    private static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    private static long times(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    public String pattern() {
        return pattern;
    }

    /** The deterministic automaton over code points that the index searches with. */
    public Automaton automaton() {
        return automaton;
    }

    /** Whether the whole of {@code value} matches. */
    public boolean matches(String value) {
        return run.run(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilterRegex other && other.pattern.equals(pattern);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
