package dev.loupe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code loupe ingest}'s arguments, read and bounded. Flags take their value as the next
 * argument or after {@code =}; anything else is a path.
 */
record IngestOptions(List<Path> paths, Optional<Path> urls, String bucket, Optional<String> collection,
                     Optional<Path> metadata, Optional<String> field, int parallel, int maxFiles, boolean uploadOnly) {
    static final int DEFAULT_PARALLEL = 4;
    static final int MAX_PARALLEL = 32;
    static final int DEFAULT_MAX_FILES = 100_000;
    static final int MAX_MAX_FILES = 1_000_000;

    static final String USAGE = """
            Usage: loupe ingest PATH... --bucket B [options]
              Uploads image files and folder trees (walked; images found by extension or content)
              to bucket B through the presigned upload flow, makes one object per file, submits them
              as a batch and follows the task until it ends. A re-run uploads nothing twice: files
              are matched by SHA-256 with what the bucket already holds, and only objects not yet
              processed are submitted again.

              --bucket B          the bucket (name or id); required
              --collection C      check that collection C reads the bucket, and report its documents
              --metadata FILE     per-file metadata: FILE.csv (a header row) or FILE.jsonl (one object per line).
                                  The row's key is its "path" column/field (else "filename", else the first column):
                                  a path relative to the PATH argument the file was found under ('/' between
                                  folders) or, for a key without '/', the file's name. Other columns become the
                                  object's metadata (CSV cells as strings, JSONL values as they are)
              --field NAME        the bucket property the image goes to (default: the schema's one image property)
              --urls FILE         also ingest image URLs listed in FILE, one per line (# starts a comment);
                                  their metadata key is the URL
              --parallel N        uploads at once, 1-32 (default 4)
              --max-files N       refuse to walk more than N files (default 100000)
              --upload-only       upload and make the objects, but submit nothing
              --url, --key, --namespace (or LOUPE_URL, LOUPE_API_KEY, LOUPE_NAMESPACE): the server

              Exit status: 0 when everything was ingested, 1 when some files failed (listed with their
              reasons), 2 for a usage error.""";

    static IngestOptions parse(List<String> args) {
        List<Path> paths = new ArrayList<>();
        Optional<Path> urls = Optional.empty();
        String bucket = null;
        Optional<String> collection = Optional.empty();
        Optional<Path> metadata = Optional.empty();
        Optional<String> field = Optional.empty();
        int parallel = DEFAULT_PARALLEL;
        int maxFiles = DEFAULT_MAX_FILES;
        boolean uploadOnly = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                paths.add(Path.of(a));
                continue;
            }
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (name.equals("--upload-only")) {
                uploadOnly = true;
                continue;
            }
            String value;
            if (a.contains("=")) {
                value = a.substring(a.indexOf('=') + 1);
            } else {
                if (i + 1 >= args.size()) throw new CliException(name + " needs a value");
                value = args.get(++i);
            }
            switch (name) {
                case "--bucket" -> bucket = value;
                case "--collection" -> collection = Optional.of(value);
                case "--metadata" -> metadata = Optional.of(Path.of(value));
                case "--field" -> field = Optional.of(value);
                case "--urls" -> urls = Optional.of(Path.of(value));
                case "--parallel" -> parallel = number(name, value, 1, MAX_PARALLEL);
                case "--max-files" -> maxFiles = number(name, value, 1, MAX_MAX_FILES);
                default -> throw new CliException("unknown option " + name);
            }
        }
        if (bucket == null || bucket.isBlank()) throw new CliException("--bucket is required");
        if (paths.isEmpty() && urls.isEmpty()) throw new CliException("give at least one PATH (a file or a folder) or --urls FILE");
        return new IngestOptions(List.copyOf(paths), urls, bucket.strip(), collection, metadata, field, parallel, maxFiles, uploadOnly);
    }

    private static int number(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) throw new CliException(name + " must be between " + min + " and " + max + ", got " + n);
            return n;
        } catch (NumberFormatException e) {
            throw new CliException(name + " must be a whole number, got '" + value + "'");
        }
    }
}
