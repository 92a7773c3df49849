package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Per-file metadata from a CSV file (a header row, RFC 4180 quoting) or a JSON Lines file. Each
 * row is keyed by its {@code path} column (else {@code filename}, else {@code file}, else the
 * first column): a relative path, or a bare file name. Looking up a file tries its path relative
 * to the argument it was found under, then its name.
 */
final class MetadataTable {
    static final long MAX_FILE_BYTES = 64L << 20;
    private static final List<String> KEY_COLUMNS = List.of("path", "filename", "file");

    private final Map<String, ObjectNode> byKey;

    private MetadataTable(Map<String, ObjectNode> byKey) {
        this.byKey = byKey;
    }

    static MetadataTable empty() {
        return new MetadataTable(Map.of());
    }

    int size() {
        return byKey.size();
    }

    /** The metadata for a file (relative path first, then name) or a URL; empty when no row names it. */
    Optional<ObjectNode> lookup(String relative, String name) {
        ObjectNode row = byKey.get(relative);
        if (row == null) row = byKey.get(name);
        return Optional.ofNullable(row);
    }

    static MetadataTable read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) throw new CliException(file + ": metadata files are limited to " + (MAX_FILE_BYTES >> 20) + " MiB");
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) return csv(file, text);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return jsonl(file, text);
        throw new CliException(file + ": --metadata takes a .csv or a .jsonl file");
    }

    private static MetadataTable jsonl(Path file, String text) {
        Map<String, ObjectNode> out = new HashMap<>();
        String[] lines = text.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            JsonNode row;
            try {
                row = Json.read(lines[i]);
            } catch (RuntimeException e) {
                throw new CliException(file + ":" + (i + 1) + ": not a JSON object");
            }
            if (!row.isObject()) throw new CliException(file + ":" + (i + 1) + ": not a JSON object");
            ObjectNode fields = ((ObjectNode) row).deepCopy();
            int line = i + 1;
            String keyField = KEY_COLUMNS.stream().filter(fields::has).findFirst()
                    .orElseThrow(() -> new CliException(file + ":" + line + ": needs a \"path\" or \"filename\" field naming its file"));
            put(out, file, line, fields.remove(keyField).asText(), fields);
        }
        return new MetadataTable(out);
    }

    private static MetadataTable csv(Path file, String text) {
        List<List<String>> rows = parseCsv(file, text);
        if (rows.isEmpty()) return empty();
        List<String> header = rows.getFirst().stream().map(String::strip).toList();
        int key = 0;
        for (String candidate : KEY_COLUMNS) {
            int at = header.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList().indexOf(candidate);
            if (at >= 0) {
                key = at;
                break;
            }
        }
        Map<String, ObjectNode> out = new HashMap<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.getFirst().isBlank()) continue;
            if (row.size() != header.size()) {
                throw new CliException(file + ": row " + (r + 1) + " has " + row.size() + " cells, the header " + header.size());
            }
            ObjectNode fields = Json.object();
            for (int c = 0; c < header.size(); c++) {
                if (c != key && !row.get(c).isEmpty()) fields.put(header.get(c), row.get(c));
            }
            put(out, file, r + 1, row.get(key).strip(), fields);
        }
        return new MetadataTable(out);
    }

    private static void put(Map<String, ObjectNode> out, Path file, int line, String key, ObjectNode fields) {
        if (key.isBlank()) throw new CliException(file + ":" + line + ": the row's key (path or file name) is empty");
        String normal = key.replace('\\', '/');
        if (normal.startsWith("./")) normal = normal.substring(2);
        if (out.put(normal, fields) != null) throw new CliException(file + ":" + line + ": '" + key + "' is named by two rows");
    }

    /** RFC 4180: fields separated by commas, quoted with '"' (doubled inside), records by CRLF or LF. */
    static List<List<String>> parseCsv(Path file, String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"' && cell.isEmpty()) {
                quoted = true;
            } else if (ch == ',') {
                row.add(cell.toString());
                cell.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                row.add(cell.toString());
                cell.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                cell.append(ch);
            }
        }
        if (quoted) throw new CliException(file + ": a quoted cell is never closed");
        if (!cell.isEmpty() || !row.isEmpty()) {
            row.add(cell.toString());
            rows.add(row);
        }
        return rows;
    }
}
