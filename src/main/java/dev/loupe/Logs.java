package dev.loupe;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Logging for the {@code loupe} process: everything (Loupe's own java.util.logging, and the
 * libraries' SLF4J through {@code slf4j-jdk14}) in one format on stderr,
 * {@code 2026-12-02 18:27:03 INFO  requests: GET /v1/buckets/list 200 3.1 ms ns=default}, and
 * without what means nothing to a user: Jetty's and Javalin's start-up chatter and version
 * age notice, DJL's CUDA probing on machines without a GPU, and Javalin's own report of a
 * failed start, which Loupe replaces by one line saying which port and what to do.
 */
public final class Logs {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private Logs() {}

    public static void install(PrintStream err) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new StreamHandler(err, new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush(); // a line is written when it happens, not when a buffer fills
            }
        };
        handler.setLevel(Level.ALL);
        handler.setFilter(r -> !(r.getLoggerName() != null && r.getLoggerName().startsWith("io.javalin")
                && r.getMessage() != null && r.getMessage().startsWith("Failed to start Javalin")));
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        quiet("org.eclipse.jetty", Level.WARNING);
        quiet("io.javalin", Level.WARNING);
        quiet("ai.djl", Level.SEVERE);
    }

    /** Loggers held here so that the levels set on them are not lost when they are collected (java.util.logging keeps them weakly). */
    private static final java.util.List<Logger> CONFIGURED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static void quiet(String name, Level level) {
        Logger l = Logger.getLogger(name);
        l.setLevel(level);
        CONFIGURED.add(l);
    }

    /** {@code time LEVEL logger: message}, one line (a multi-line message is indented), control characters removed. */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            String level = r.getLevel() == Level.SEVERE ? "ERROR" : r.getLevel() == Level.WARNING ? "WARN"
                    : r.getLevel().intValue() < Level.INFO.intValue() ? "DEBUG" : r.getLevel().getName();
            String name = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
            StringBuilder b = new StringBuilder();
            b.append(LocalDateTime.now().format(TIME)).append(' ').append(String.format("%-5s", level)).append(' ')
                    .append(name).append(": ").append(printable(formatMessage(r)));
            Throwable t = r.getThrown();
            if (t != null) {
                if (r.getLevel() == Level.SEVERE) {
                    // An error nobody handled: its trace is what a bug report needs.
                    StringWriter trace = new StringWriter();
                    t.printStackTrace(new PrintWriter(trace));
                    b.append('\n').append(trace.toString().stripTrailing());
                } else {
                    b.append(": ").append(printable(String.valueOf(t)));
                }
            }
            return b.append(System.lineSeparator()).toString();
        }

        private static String printable(String s) {
            if (s == null) return "";
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\n') b.append("\n    ");
                else if (c == '\t') b.append(' ');
                else if (!Character.isISOControl(c)) b.append(c);
            }
            return b.toString();
        }
    }
}
