package org.jgluon.repl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the {@code jgluon} command line in this JVM ({@link Main#run}, exactly what
 * {@code ./jgluon} runs after starting Java), capturing its output and exit status. Scripts are
 * written under {@code target/e2e/}, so errors name them as {@code target/e2e/NAME.js}.
 */
final class Cli {

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    static final Path DIR = Path.of("target", "e2e");

    private Cli() {}

    static Result withInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(String... args) {
        return withInput("", args);
    }

    /** Writes {@code code} to {@code target/e2e/NAME} and returns that relative path. */
    static String script(String name, String code) {
        try {
            Path p = DIR.resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, code);
            return p.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a script given as code; args go to the script. */
    static Result runScript(String name, String code, String... args) {
        String path = script(name, code);
        String[] all = new String[args.length + 1];
        all[0] = path;
        System.arraycopy(args, 0, all, 1, args.length);
        return run(all);
    }
}
