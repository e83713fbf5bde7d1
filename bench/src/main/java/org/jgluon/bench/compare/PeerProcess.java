package org.jgluon.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A peer framework run as a child process that prints one JSON {@link Measurement} line per
 * step it timed. The child gets the environment in which the peer runs at its best on this
 * machine: {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1} (transparent huge pages for malloc: else
 * every fresh 4 KiB page of a large tensor faults, ≈ 12 µs each in this VM, and PyTorch is 3–10×
 * slower) and without the machine's {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE} presets
 * (which force OpenBLAS onto its Haswell kernels). jgluon's own process is left as it is.
 */
final class PeerProcess {

    private PeerProcess() {}

    static void tuneEnvironment(Map<String, String> env, int threads) {
        env.put("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1");
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
    }

    /** Runs {@code command}; returns its measurements or throws with the tail of its output. */
    static List<Measurement> run(String framework, List<String> command, Path dir, int threads, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false);
        tuneEnvironment(pb.environment(), threads);
        Path err = Files.createTempFile("jgluon-peer", ".err");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            List<String> lines = new ArrayList<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (var r = p.inputReader(StandardCharsets.UTF_8)) {
                    for (String line; (line = r.readLine()) != null; ) lines.add(line);
                } catch (IOException ignored) {
                    // the process died; its exit status says so below
                }
            });
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(framework + " did not finish within " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            reader.join(); // after this, the reader's lines are visible here
            if (p.exitValue() != 0) {
                throw new IOException(framework + " failed (exit " + p.exitValue() + "): " + String.join(" ", command) + "\n"
                        + tail(Files.readString(err), 1500));
            }
            List<Measurement> out = new ArrayList<>();
            for (String line : lines) if (line.startsWith("{")) out.add(Measurement.fromJson(framework, line));
            if (out.isEmpty()) throw new IOException(framework + " printed no measurement: " + String.join("\n", lines));
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Runs a short check command; null when it succeeds, else why not (the first lines of its output). */
    static String check(List<String> command, Path dir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "'" + String.join(" ", command) + "' did not answer within 120 s";
            }
            return p.exitValue() == 0 ? null : "'" + String.join(" ", command) + "' failed: " + tail(out.strip(), 300);
        } catch (IOException e) {
            return "cannot run '" + command.getFirst() + "': " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : "…" + s.substring(s.length() - n);
    }
}
