package org.jgluon.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jline.reader.Candidate;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REPL, driven through piped standard input and through a JLine test terminal. */
class ReplTest {

    private static JsSession session;

    @BeforeAll
    static void openSession() {
        session = new JsSession(new JsSession.Settings(Path.of(""), false, "<repl>", List.of(),
                new ByteArrayInputStream(new byte[0]), OutputStream.nullOutputStream(), OutputStream.nullOutputStream()));
    }

    @AfterAll
    static void closeSession() {
        session.close();
    }

    @Test
    void pipedStatements() {
        String input = """
                const x = 6
                x * 7
                function f(a) {
                  return a + 1
                }
                f(41)
                const x = 'again'
                x
                [1, 2].map(v => v * 2)
                :time 1 + 1
                undefinedName
                print('still here')
                """;
        Cli.Result r = Cli.withInput(input);
        assertEquals(0, r.status(), r::toString);
        String[] lines = r.out().split("\n");
        assertEquals("42", lines[0], r::toString);
        assertEquals("42", lines[1], r::toString);
        assertEquals("\"again\"", lines[2], r::toString);
        assertEquals("[2, 4]", lines[3], r::toString);
        assertEquals("2", lines[4], r::toString);
        assertTrue(lines[5].matches("time: \\d+\\.\\d{3} s"), r::toString);
        assertEquals("<repl>:1:1: ReferenceError: undefinedName is not defined", lines[6], r::toString);
        assertEquals("still here", lines[lines.length - 1], r::toString);
    }

    @Test
    void loadAndQuit() {
        String path = Cli.script("repl/lib.js", "var loaded = 'yes';\nfunction triple(v) { return 3 * v; }\n");
        Cli.Result r = Cli.withInput(":load " + path + "\ntriple(14)\nloaded\n:quit\nprint('not reached')\n");
        assertEquals(0, r.status(), r::toString);
        assertEquals("42\n\"yes\"\n", r.out());
    }

    @Test
    void completionCandidates() {
        session.eval("var network = {alpha: 1, beta: 2}", "<test>");
        JsCompleter c = new JsCompleter(session);
        assertEquals(List.of("network.alpha"), values(c.candidates("network.al")));
        assertEquals(List.of("network.alpha", "network.beta"), values(c.candidates("network.")));
        assertTrue(values(c.candidates("par")).contains("parse_args"));
        assertTrue(values(c.candidates("")).containsAll(List.of("mx", "nd", "nn", "gluon", "init", "autograd")));
        assertTrue(values(c.candidates("nd.ze")).contains("nd.zeros"));
        assertTrue(values(c.candidates("nd.random.")).contains("nd.random.uniform"));
        assertEquals(List.of(), values(c.candidates("noSuchThing.x")));
    }

    private static List<String> values(List<Candidate> cs) {
        return cs.stream().map(Candidate::value).sorted().toList();
    }

    /** A REPL on a DumbTerminal fed through a pipe, on its own thread. */
    private static final class Session implements AutoCloseable {
        final PipedOutputStream keys = new PipedOutputStream();
        final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        final Terminal terminal;
        final Thread thread;
        final AtomicInteger status = new AtomicInteger(-1);

        /** {@code type}: "dumb" reads plain lines; "ansi" makes JLine use its key bindings (Tab completion). */
        Session(Path history, boolean interactive, String type) throws IOException {
            terminal = new DumbTerminal("test", type, new PipedInputStream(keys, 1 << 16), screen,
                    StandardCharsets.UTF_8);
            terminal.setSize(new Size(160, 40));
            // like Main: the context lives on the REPL's thread (a JS context is single-threaded)
            thread = new Thread(() -> {
                try (JsSession own = new JsSession(new JsSession.Settings(Path.of(""), false, "<repl>", List.of(),
                        new ByteArrayInputStream(new byte[0]), terminal.output(), terminal.output()))) {
                    status.set(new Repl(own, terminal, history, false, interactive).run());
                }
            }, "repl-under-test");
            thread.setDaemon(true);
            thread.start();
        }

        void type(String s) throws IOException {
            keys.write(s.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        String screen() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }

        void waitFor(String text) throws InterruptedException {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!screen().contains(text)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for '" + text + "' on the screen:\n" + screen());
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws Exception {
            keys.close();
            thread.join(30_000);
            terminal.close();
        }
    }

    @Test
    void terminalMultiLineCompletionAndHistory(@TempDir Path tmp) throws Exception {
        Path history = tmp.resolve("jgluon-home").resolve("history");
        try (Session s = new Session(history, true, "ansi")) {
            s.waitFor("jgluon> ");
            s.type("function g(a) {\n");
            Thread.sleep(300); // the REPL now holds an incomplete statement and waits for more
            s.type("  return a * 2\n}\ng(21)\n");
            s.waitFor("42");
            assertTrue(!s.screen().contains("Error"), s::screen);
            s.type("parse_ar\t.name\n");
            s.waitFor("\"parse_args\"");
            s.type(":quit\n");
            s.thread.join(30_000);
            assertEquals(0, s.status.get(), s::screen);
        }
        assertTrue(Files.readString(history).contains("g(21)"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
    }

    @Test
    void ctrlCStopsARunningLoopAndTheSessionGoesOn() throws Exception {
        try (Session s = new Session(null, true, Terminal.TYPE_DUMB)) {
            s.waitFor("jgluon> ");
            s.type("var spins = 0; print('spinning'); while (true) { spins++ }\n");
            s.waitFor("spinning");
            Thread.sleep(200);
            s.terminal.raise(Terminal.Signal.INT);
            s.waitFor("interrupted");
            s.type("spins > 0\n");
            s.waitFor("true");
            s.type("6 * 7\n");
            s.waitFor("42");
        }
    }
}
