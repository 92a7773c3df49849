package dev.loupe.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * One line of progress. On a terminal it is redrawn in place ({@code \r}) at every update; in a
 * log or a pipe a plain line is printed at most every {@link #PLAIN_EVERY}, so the output stays
 * readable, and the final state is always printed.
 */
final class ProgressLine {
    static final Duration PLAIN_EVERY = Duration.ofSeconds(3);

    private final PrintStream out;
    private final boolean tty;
    private long lastPrinted = Long.MIN_VALUE;
    private int drawnWidth;

    ProgressLine(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    synchronized void update(String text) {
        if (tty) {
            draw(text);
            return;
        }
        long now = System.nanoTime();
        if (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= PLAIN_EVERY.toNanos()) {
            out.println(text);
            lastPrinted = now;
        }
    }

    /** Ends the line with its last state, printed whatever the interval. */
    synchronized void finish(String text) {
        if (tty) {
            draw(text);
            out.println();
            drawnWidth = 0;
        } else {
            out.println(text);
        }
        lastPrinted = Long.MIN_VALUE;
    }

    private void draw(String text) {
        int pad = Math.max(0, drawnWidth - text.length());
        out.print("\r" + text + " ".repeat(pad));
        out.flush();
        drawnWidth = text.length();
    }

    /** {@code 1:05} for 65 seconds; {@code ?} while no rate is known. */
    static String eta(double remaining, double perSecond) {
        if (remaining <= 0) return "0:00";
        if (perSecond <= 0 || !Double.isFinite(perSecond)) return "?";
        long s = Math.round(remaining / perSecond);
        return s >= 3600 ? "%d:%02d:%02d".formatted(s / 3600, s / 60 % 60, s % 60) : "%d:%02d".formatted(s / 60, s % 60);
    }
}
