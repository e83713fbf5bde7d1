package org.jgluon.repl;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.history.DefaultHistory;
import org.jline.terminal.Terminal;

/**
 * The interactive session: JLine line editing with history, multi-line input while a statement is
 * incomplete ({@link JsLineParser}), completion of globals and members ({@link JsCompleter}),
 * readable results, the {@code :} commands, and Ctrl-C that stops a running statement (via
 * {@code Context.interrupt}) without losing the session.
 */
final class Repl {

    static final String PROMPT = "jgluon> ";
    static final String CONTINUATION = "   ...> ";

    static final String HELP = """
            Type JavaScript; the Gluon API is there: mx, nd, autograd, gluon, init, nn.
              nd.ones(2, 3).mul(2)              a tensor
              const net = nn.Sequential(); net.add(nn.Dense(10))
            A statement may span lines: the prompt waits while it is incomplete.
            Tab completes names (nn.Con<Tab>, net.<Tab>). Ctrl-C stops a running statement; Ctrl-D quits.
              :help          this text
              :load FILE     run a script file in this session
              :time EXPR     run EXPR and say how long it took
              :quit          leave (also Ctrl-D)
            """;

    private final JsSession session;
    private final Terminal terminal;
    private final Path historyFile;
    private final boolean debug;
    private final boolean interactive;
    private volatile boolean running;

    /** {@code interactive}: a person types (banner and prompts); false for piped statements. */
    Repl(JsSession session, Terminal terminal, Path historyFile, boolean debug, boolean interactive) {
        this.session = session;
        this.terminal = terminal;
        this.historyFile = historyFile;
        this.debug = debug;
        this.interactive = interactive;
    }

    /** {@code ~/.jgluon/history}, or the file named by {@code -Djgluon.history}. */
    static Path defaultHistoryFile() {
        String p = System.getProperty("jgluon.history");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".jgluon", "history");
    }

    /** Creates the history file readable by its owner only; null (no history) if that fails. */
    private static Path prepareHistory(Path file) {
        if (file == null) {
            return null;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            return file;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    int run() {
        Path history = prepareHistory(historyFile);
        LineReaderBuilder b = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("jgluon")
                .parser(new JsLineParser(session))
                .completer(new JsCompleter(session))
                .history(new DefaultHistory())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, interactive ? CONTINUATION : "")
                .variable(LineReader.HISTORY_SIZE, 2000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.INSERT_TAB, false);
        if (history != null) {
            b.variable(LineReader.HISTORY_FILE, history);
        }
        LineReader reader = b.build();
        PrintWriter out = terminal.writer();
        if (interactive) {
            out.println("jgluon " + Version.VERSION + " — JavaScript with the Gluon API. :help for help, Ctrl-D to quit.");
            out.flush();
        }
        terminal.handle(Terminal.Signal.INT, signal -> interrupt());
        int status = 0;
        try {
            while (true) {
                String line;
                try {
                    line = reader.readLine(interactive ? PROMPT : "");
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt drops the line
                } catch (EndOfFileException e) {
                    break;
                }
                String code = line.strip();
                if (code.isEmpty()) {
                    continue;
                }
                if (code.startsWith(":")) {
                    Integer exit = command(code);
                    if (exit != null) {
                        status = exit;
                        break;
                    }
                    continue;
                }
                Integer exit = evaluate(code, false);
                if (exit != null) {
                    status = exit;
                    break;
                }
            }
        } finally {
            try {
                reader.getHistory().save();
            } catch (IOException e) {
                // history is a convenience; losing it must not fail the session
            }
            out.flush();
        }
        return status;
    }

    /** Ctrl-C while a statement runs: interrupt it from another thread (interrupt blocks until it stops). */
    private void interrupt() {
        if (!running) {
            return;
        }
        Thread t = new Thread(() -> {
            if (!session.interrupt(Duration.ofSeconds(30))) {
                terminal.writer().println("(still busy in a long Java operation; it stops when that returns)");
                terminal.writer().flush();
            }
        }, "jgluon-interrupt");
        t.setDaemon(true);
        t.start();
    }

    /** Runs a : command; returns an exit status to leave the REPL, else null. */
    private Integer command(String line) {
        PrintWriter out = terminal.writer();
        String[] parts = line.split("\\s+", 2);
        String arg = parts.length > 1 ? parts[1].strip() : "";
        switch (parts[0]) {
            case ":help", ":h", ":?" -> out.print(HELP);
            case ":quit", ":q", ":exit" -> {
                return 0;
            }
            case ":load", ":l" -> {
                if (arg.isEmpty()) {
                    out.println(":load needs a file name");
                    break;
                }
                running = true;
                try {
                    session.evalFile(Path.of(arg));
                } catch (PolyglotException e) {
                    Integer exit = failure(e);
                    if (exit != null) {
                        return exit;
                    }
                } catch (IOException e) {
                    out.println("cannot read " + arg + ": " + e.getMessage());
                } finally {
                    running = false;
                }
            }
            case ":time", ":t" -> {
                if (arg.isEmpty()) {
                    out.println(":time needs an expression, e.g. :time net(X)");
                    break;
                }
                return evaluate(arg, true);
            }
            default -> out.println("unknown command " + parts[0] + " (:help lists the commands)");
        }
        out.flush();
        return null;
    }

    /** Evaluates one input and prints its value; returns an exit status if the code called exit(). */
    private Integer evaluate(String code, boolean timed) {
        PrintWriter out = terminal.writer();
        out.flush();
        long start = System.nanoTime();
        running = true;
        try {
            Value v = session.eval(redeclarable(code), "<repl>");
            running = false;
            double seconds = (System.nanoTime() - start) / 1e9;
            String shown = session.show(v);
            if (shown != null) {
                out.println(shown);
            }
            if (timed) {
                out.printf("time: %.3f s%n", seconds);
            }
        } catch (PolyglotException e) {
            running = false;
            return failure(e);
        } finally {
            running = false;
            out.flush();
        }
        return null;
    }

    private Integer failure(PolyglotException e) {
        PrintWriter out = terminal.writer();
        if (e.isExit()) {
            return e.getExitStatus();
        }
        if (e.isHostException() && e.asHostException() instanceof Bridge.ScriptExit x) {
            return x.code;
        }
        if (e.isInterrupted() || e.isCancelled()) {
            out.println("interrupted");
        } else {
            out.println(ErrorReport.format(e, debug));
        }
        out.flush();
        return null;
    }

    private static final Pattern TOP_LEVEL_DECLARATION = Pattern.compile("(?m)^(const|let)(\\s)");

    /**
     * Top-level {@code const}/{@code let} become {@code var}, so a name can be defined again in a
     * later input (as one does at a prompt) and is a global that completion sees. Only lines
     * that start with the keyword at column 0 change; nested code keeps its block scoping.
     */
    static String redeclarable(String code) {
        Matcher m = TOP_LEVEL_DECLARATION.matcher(code);
        return m.replaceAll("var$2");
    }
}
