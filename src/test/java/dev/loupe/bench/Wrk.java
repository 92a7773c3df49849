package dev.loupe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives <a href="https://github.com/wg/wrk">wrk</a>, a native HTTP load generator, from a
 * benchmark: closed-loop clients on keep-alive connections, each sending its next request
 * as soon as the previous answer arrives. A client in its own process measures the server
 * rather than the JDK HttpClient, whose thread hand-offs cost milliseconds on two busy cores.
 */
final class Wrk {
    /** Latency percentiles over every request of the run, and the rate over its duration. */
    record Result(double p50Ms, double p99Ms, double perSecond) {
    }

    /**
     * Prints one machine-readable line at the end of a run; fails the run on any error or
     * non-2xx answer, so a benchmark never reports the speed of failing requests.
     */
    private static final String REPORT = """
            function done(summary, latency, requests)
              local e = summary.errors
              io.write(string.format("wrk-result %.4f %.4f %.2f %d\\n", latency:percentile(50) / 1000,
                latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
                e.connect + e.read + e.write + e.status + e.timeout))
            end
            """;

    /** Cycles through {@code bodies}, one per line of the file named by the script's first argument. */
    private static final String POST = """
            local bodies, n, i = {}, 0, 0
            function init(args)
              for line in io.lines(args[1]) do n = n + 1; bodies[n] = line end
              wrk.method = "POST"
              wrk.headers["Content-Type"] = "application/json"
              wrk.headers["Authorization"] = "Bearer " .. args[2]
            end
            function request()
              i = i % n + 1
              return wrk.format(nil, nil, nil, bodies[i])
            end
            """;

    private Wrk() {
    }

    static Result get(String url, int clients, int seconds) throws IOException, InterruptedException {
        return run(url, clients, seconds, REPORT, List.of());
    }

    /** POSTs each of {@code bodies} (single-line JSON) in turn, with {@code key} as the bearer token. */
    static Result post(String url, String key, List<String> bodies, int clients, int seconds) throws IOException, InterruptedException {
        Path file = Files.createTempFile("wrk-bodies-", ".jsonl");
        try {
            for (String b : bodies) {
                if (b.contains("\n")) throw new IllegalArgumentException("request bodies must be single lines");
            }
            Files.write(file, bodies, StandardCharsets.UTF_8);
            return run(url, clients, seconds, POST + REPORT, List.of(file.toString(), key));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Result run(String url, int clients, int seconds, String script, List<String> args) throws IOException, InterruptedException {
        Path lua = Files.createTempFile("wrk-", ".lua");
        try {
            Files.writeString(lua, script);
            List<String> command = new ArrayList<>(List.of("wrk", "-t" + clients, "-c" + clients, "-d" + seconds + "s", "-s", lua.toString(), url));
            if (!args.isEmpty()) {
                command.add("--");
                command.addAll(args);
            }
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new IllegalStateException("wrk failed: " + out);
            for (String line : out.split("\n")) {
                if (!line.startsWith("wrk-result ")) continue;
                String[] f = line.trim().split(" ");
                if (Long.parseLong(f[4]) != 0) throw new IllegalStateException(f[4] + " requests failed under wrk: " + out);
                return new Result(Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]));
            }
            throw new IllegalStateException("wrk printed no result: " + out);
        } finally {
            Files.deleteIfExists(lua);
        }
    }
}
