package dev.loupe.queue;

import java.util.Map;

/**
 * How far a task's work items have got, why the failed ones failed, and the provider tokens its
 * done items used.
 *
 * @param canceled items a cancel took off the queue before they started
 * @param failures object id → reason, for the failed items (first few hundred)
 */
public record TaskProgress(int pending, int running, int done, int failed, int canceled, Map<String, String> failures, Tokens tokens) {

    public TaskProgress(int pending, int running, int done, int failed, int canceled, Map<String, String> failures) {
        this(pending, running, done, failed, canceled, failures, Tokens.NONE);
    }

    /** Tokens a remote model provider counted, in and out (descriptions, structured fields). */
    public record Tokens(long input, long output) {
        public static final Tokens NONE = new Tokens(0, 0);

        public Tokens {
            if (input < 0 || output < 0) throw new IllegalArgumentException("token counts are never negative: " + input + ", " + output);
        }

        public Tokens plus(Tokens other) {
            return new Tokens(input + other.input, output + other.output);
        }
    }

    public int total() {
        return pending + running + done + failed + canceled;
    }

    /** A task's (and its batch's) status; each constant is named as Mixpeek spells it. */
    public enum Status {
        PENDING, PROCESSING, COMPLETED, COMPLETED_WITH_ERRORS, FAILED, CANCELED
    }

    /** The task's status, derived from the counts so it never disagrees with them. */
    public Status status() {
        if (total() == 0) return Status.COMPLETED;
        if (pending + running > 0) return done + failed + running + canceled == 0 ? Status.PENDING : Status.PROCESSING;
        if (canceled > 0) return Status.CANCELED;
        if (failed == 0) return Status.COMPLETED;
        return done == 0 ? Status.FAILED : Status.COMPLETED_WITH_ERRORS;
    }
}
