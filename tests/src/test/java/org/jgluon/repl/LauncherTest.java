package org.jgluon.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real {@code ./jgluon} launcher in a fresh JVM (with {@code JGLUON_NO_BUILD=1}: the build
 * has happened): what a user sees on standard output and error, and the exit status. Few runs,
 * since each starts a JVM and GraalJS.
 */
class LauncherTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static Run launch(String stdin, String... args) {
        // the launcher runs repl/target/classes + repl/target/lib, which `package` makes (./build verify)
        Assumptions.assumeTrue(Files.isDirectory(ROOT.resolve("repl/target/lib")), "repl is not packaged");
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("jgluon").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.resolve("tests").toFile());
        pb.environment().put("JGLUON_NO_BUILD", "1");
        pb.environment().put("JGLUON_JAVA_OPTS", "-Xmx1g -Djgluon.history=" + ROOT.resolve("tests/target/e2e/history"));
        try {
            Process p = pb.start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jgluon " + String.join(" ", args) + " did not finish in 120 s");
            }
            return new Run(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void helloScriptPrintsNoWarnings() throws IOException {
        Path hello = ROOT.resolve("tests/target/e2e/hello.js");
        Files.createDirectories(hello.getParent());
        Files.writeString(hello, "console.log('hello', nd.ones(2).sum().asscalar());\n");
        Run r = launch("", "target/e2e/hello.js");
        assertEquals(0, r.status(), r::toString);
        assertEquals("hello 2\n", r.out());
        assertEquals("", r.err(), "start-up must print no warnings (GraalJS interpreter, incubator module)");
    }

    @Test
    void errorExitsOneWithoutJavaStackTrace() throws IOException {
        Path bad = ROOT.resolve("tests/target/e2e/bad.js");
        Files.createDirectories(bad.getParent());
        Files.writeString(bad, "const net = nn.Sequential();\nnet.add(nn.Conv2D(96, {kernal_size: 11}));\n");
        Run r = launch("", "target/e2e/bad.js");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.err().startsWith("target/e2e/bad.js:2:9: nn.Conv2D: unknown option 'kernal_size'"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
        assertEquals("", r.out());
    }

    @Test
    void pipedReplAndEvalAndHelp() {
        Run repl = launch("const x = nd.arange(4)\nx.sum().asscalar()\nx.shape\n");
        assertEquals(0, repl.status(), repl::toString);
        assertEquals("6\n[4]\n", repl.out());
        assertEquals("", repl.err(), repl::toString);
        Run help = launch("", "--help");
        assertEquals(0, help.status(), help::toString);
        assertTrue(help.out().startsWith("usage: jgluon"), help::toString);
    }
}
