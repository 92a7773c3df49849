package dev.loupe.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table fitted to the terminal: columns take their natural width and, when the
 * line would be wider than the terminal, the flexible ones (free text such as a description)
 * give way first, widest first, down to {@link #MIN_FLEXIBLE}; cut cells end in {@code …}.
 * Fixed columns (scores, ids, URLs) are never cut: half an id or a URL is useless. Control
 * characters in cells become spaces, so a stored field cannot move the cursor or recolour
 * the terminal.
 */
final class Table {
    static final int MIN_FLEXIBLE = 8;
    private static final String GAP = "  ";

    /** A column: its header, whether it may be cut, whether it is right-aligned (numbers). */
    record Column(String header, boolean flexible, boolean right) {
        static Column fixed(String header) {
            return new Column(header, false, false);
        }

        static Column flexible(String header) {
            return new Column(header, true, false);
        }

        static Column number(String header) {
            return new Column(header, false, true);
        }
    }

    private final List<Column> columns;
    private final List<List<String>> rows = new ArrayList<>();

    Table(List<Column> columns) {
        if (columns.isEmpty()) throw new IllegalArgumentException("a table needs at least one column");
        this.columns = List.copyOf(columns);
    }

    Table row(List<String> cells) {
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException("a row of " + cells.size() + " cells in a table of " + columns.size() + " columns");
        }
        rows.add(cells.stream().map(Table::clean).toList());
        return this;
    }

    int size() {
        return rows.size();
    }

    /** The table as lines no wider than {@code width} where the flexible columns allow it. */
    List<String> render(int width) {
        int n = columns.size();
        int[] w = new int[n];
        for (int c = 0; c < n; c++) {
            w[c] = columns.get(c).header().length();
            for (List<String> r : rows) w[c] = Math.max(w[c], r.get(c).length());
        }
        int excess = total(w) - width;
        while (excess > 0) {
            int widest = -1;
            for (int c = 0; c < n; c++) {
                if (columns.get(c).flexible() && w[c] > MIN_FLEXIBLE && (widest < 0 || w[c] > w[widest])) widest = c;
            }
            if (widest < 0) break; // nothing left to give: the line stays wider than the terminal
            w[widest]--;
            excess--;
        }
        List<String> lines = new ArrayList<>();
        lines.add(line(columns.stream().map(Column::header).toList(), w));
        for (List<String> r : rows) lines.add(line(r, w));
        return lines;
    }

    private static int total(int[] w) {
        int t = GAP.length() * (w.length - 1);
        for (int x : w) t += x;
        return t;
    }

    private String line(List<String> cells, int[] w) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String cell = fit(cells.get(c), w[c]);
            boolean last = c == cells.size() - 1;
            if (c > 0) b.append(GAP);
            String pad = " ".repeat(w[c] - cell.length());
            if (columns.get(c).right()) b.append(pad).append(cell);
            else b.append(cell).append(last ? "" : pad);
        }
        return b.toString();
    }

    private static String fit(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "…";
    }

    private static String clean(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            b.append(Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029' ? ' ' : ch);
        }
        return b.toString().strip();
    }
}
