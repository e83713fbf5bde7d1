package org.jgluon.tests.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a script the way a user does, through the {@code jgluon} launcher (with
 * {@code JGLUON_NO_BUILD=1}: the build has already happened), in a fresh JVM, and collects its
 * exit code and output. Without the launcher's class path ({@code repl/target/lib}, made by
 * {@code package}) it runs {@code org.jgluon.repl.Main} on this test's own class path instead.
 */
record ScriptRun(int exitCode, String stdout, String stderr) {

    static final Path ROOT = findRoot();

    static ScriptRun run(long timeoutSeconds, String script, String... args) {
        List<String> cmd = new ArrayList<>();
        if (Files.isDirectory(ROOT.resolve("repl/target/lib")) && Files.isExecutable(ROOT.resolve("jgluon"))) {
            cmd.add(ROOT.resolve("jgluon").toString());
        } else {
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-Dpolyglot.engine.WarnInterpreterOnly=false",
                    "-Xss8m", "-Xmx3g", "-Djgluon.home=" + ROOT, "-cp",
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                    "org.jgluon.repl.Main"));
        }
        cmd.add(script);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().put("JGLUON_NO_BUILD", "1");
        pb.environment().put("CI", "true"); // plain per-epoch lines, no live progress line
        pb.environment().remove("JGLUON_DATA");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("jgluon " + script + " " + String.join(" ", args) + " did not finish in "
                        + timeoutSeconds + " s; output so far:\n" + out.getNow("") + err.getNow(""));
            }
            return new ScriptRun(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("running jgluon " + script + " failed", e);
        }
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The project root: the nearest directory upwards holding the launcher and the scripts. */
    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        for (Path d = p; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("jgluon")) && Files.isDirectory(d.resolve("scripts"))) return d;
        }
        throw new IllegalStateException("cannot find the jgluon project root above " + p);
    }

    List<String> lines() {
        return stdout.lines().toList();
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
