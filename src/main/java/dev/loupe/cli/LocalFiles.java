package dev.loupe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The image files named on the command line: a file is taken as given; a folder is walked
 * (hidden entries and symbolic links skipped) for files that are images by extension or, lacking
 * a known extension, by their first bytes. The walk stops with an error past {@code maxFiles}.
 */
final class LocalFiles {
    /** One file to ingest; {@code relative} is its path under the argument it was found through, '/'-separated. */
    record LocalFile(Path path, String relative, String contentType) {
        String name() {
            return path.getFileName().toString();
        }
    }

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"),
            Map.entry("webp", "image/webp"), Map.entry("gif", "image/gif"), Map.entry("bmp", "image/bmp"),
            Map.entry("tif", "image/tiff"), Map.entry("tiff", "image/tiff"), Map.entry("heic", "image/heic"),
            Map.entry("heif", "image/heif"), Map.entry("avif", "image/avif"));

    private LocalFiles() {}

    static List<LocalFile> find(List<Path> arguments, int maxFiles) {
        Map<Path, LocalFile> found = new LinkedHashMap<>();
        for (Path argument : arguments) {
            if (Files.isRegularFile(argument)) {
                String type = contentType(argument).orElse("application/octet-stream");
                add(found, new LocalFile(argument, argument.getFileName().toString(), type), maxFiles);
            } else if (Files.isDirectory(argument)) {
                walk(argument, found, maxFiles);
            } else {
                throw new CliException(argument + ": no such file or folder");
            }
        }
        return List.copyOf(found.values());
    }

    private static void walk(Path root, Map<Path, LocalFile> found, int maxFiles) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    return !dir.equals(root) && hidden(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isRegularFile() || hidden(file)) return FileVisitResult.CONTINUE;
                    Optional<String> type = contentType(file);
                    if (type.isPresent()) {
                        String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
                        add(found, new LocalFile(file, relative, type.get()), maxFiles);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    throw new CliException(file + ": cannot be read (" + e.getMessage() + ")");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void add(Map<Path, LocalFile> found, LocalFile f, int maxFiles) {
        found.putIfAbsent(f.path().toAbsolutePath().normalize(), f);
        if (found.size() > maxFiles) {
            throw new CliException("more than " + maxFiles + " files to ingest; name fewer paths or raise --max-files");
        }
    }

    private static boolean hidden(Path p) {
        return p.getFileName() != null && p.getFileName().toString().startsWith(".");
    }

    /** An image's MIME type by its extension, or else by its first bytes; empty for anything else. */
    static Optional<String> contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String type = BY_EXTENSION.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (type != null) return Optional.of(type);
        }
        byte[] head = new byte[12];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return Optional.empty();
        }
        return sniff(head, n);
    }

    static Optional<String> sniff(byte[] b, int n) {
        if (n >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) return Optional.of("image/jpeg");
        if (n >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return Optional.of("image/png");
        if (n >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') return Optional.of("image/gif");
        if (n >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return Optional.of("image/webp");
        }
        if (n >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) || (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
            return Optional.of("image/tiff");
        }
        if (n >= 2 && b[0] == 'B' && b[1] == 'M') return Optional.of("image/bmp");
        return Optional.empty();
    }
}
