package org.jgluon.repl;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.graalvm.polyglot.PolyglotException;
import org.jgluon.engine.Parallel;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;

/**
 * The {@code jgluon} command line (started by the {@code ./jgluon} launcher):
 * <pre>
 *   jgluon [launcher options] FILE.js [script arguments]   run a script
 *   jgluon [launcher options]                              the REPL
 *   jgluon [launcher options] -e 'code' [script arguments] run code
 *   jgluon info | --version | --help
 * </pre>
 * {@link #run} does the work and returns the exit status, so the tests run it in-process.
 */
public final class Main {

    static final String HELP = """
            usage: jgluon [options] FILE.js [script arguments]   run a script
                   jgluon [options]                              start the REPL
                   jgluon [options] -e CODE [script arguments]   run CODE
                   jgluon info | --version                       version, Java, cores, SIMD
                   jgluon bench ...                              kernel benchmarks (see README)

            options (before the script name; everything after it goes to the script):
              --threads N          worker threads for the kernels (default: the cores; env JGLUON_THREADS)
              --data DIR           where the datasets are (env JGLUON_DATA)
              --allow-host-access  let scripts use Java classes, files and processes (off: only the jgluon API)
              --debug              show Java stack traces with errors
              -h, --help           this text

            A script sees the Gluon API as globals (mx, nd, autograd, gluon, init, nn), its arguments
            as argv, and parse_args({epochs: 10, lr: 0.01}) to read --epochs 3 --lr 0.1.
            """;

    private Main() {}

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Launcher-level settings, parsed from the arguments before the script name. */
    static final class Launch {
        Integer threads;
        boolean debug;
        boolean allowHostAccess;
        String data;
        String mode = "repl"; // repl | script | eval | info | help | version
        String target;        // the script path or the code
        List<String> scriptArgs = new ArrayList<>();
    }

    static Launch parse(String[] args) {
        Launch l = new Launch();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--threads", "--data" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (a.equals("--data")) {
                        l.data = value;
                    } else {
                        l.threads = threads(value, "--threads");
                    }
                }
                case "--debug" -> l.debug = true;
                case "--allow-host-access" -> l.allowHostAccess = true;
                case "-h", "--help" -> {
                    l.mode = "help";
                    return l;
                }
                case "-V", "--version" -> {
                    l.mode = "version";
                    return l;
                }
                case "-e", "--eval" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("-e needs the code to run, e.g. jgluon -e 'print(nd.ones(2, 3))'");
                    }
                    l.mode = "eval";
                    l.target = args[++i];
                    l.scriptArgs.addAll(List.of(args).subList(i + 1, args.length));
                    return l;
                }
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a
                                + " (script options go after the script name; jgluon --help lists the launcher's)");
                    }
                    if (a.equals("info") && !Files.exists(Path.of(a))) {
                        l.mode = "info";
                        return l;
                    }
                    l.mode = "script";
                    l.target = args[i];
                    l.scriptArgs.addAll(List.of(args).subList(i + 1, args.length));
                    return l;
                }
            }
        }
        return l;
    }

    private static int threads(String v, String what) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " expects a positive integer, got '" + v + "'");
        }
    }

    /** Runs the command line; returns the exit status. Does not call System.exit. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Launch l;
        try {
            l = parse(args);
            applyEnvironment(l);
        } catch (IllegalArgumentException e) {
            err.println("jgluon: " + e.getMessage());
            return 2;
        }
        switch (l.mode) {
            case "help" -> {
                out.print(HELP);
                return 0;
            }
            case "version", "info" -> {
                out.print(Info.text());
                return 0;
            }
            case "script" -> {
                return runScript(l, in, out, err);
            }
            case "eval" -> {
                JsSession.Settings s = new JsSession.Settings(Path.of(""), l.allowHostAccess, "-e", l.scriptArgs,
                        in, out, err);
                return runCode(s, l.debug, out, err, session -> session.eval(l.target, "<eval>"));
            }
            default -> {
                return runRepl(l, in, out, err);
            }
        }
    }

    private static void applyEnvironment(Launch l) {
        if (l.threads == null && System.getenv("JGLUON_THREADS") != null && !System.getenv("JGLUON_THREADS").isBlank()) {
            l.threads = threads(System.getenv("JGLUON_THREADS"), "JGLUON_THREADS");
        }
        if (l.threads != null) {
            Parallel.setThreads(l.threads);
        }
        if (l.data != null) {
            System.setProperty("jgluon.data", Path.of(l.data).toAbsolutePath().toString());
        } else if (System.getProperty("jgluon.data") == null && System.getenv("JGLUON_DATA") != null) {
            System.setProperty("jgluon.data", System.getenv("JGLUON_DATA"));
        }
    }

    private static int runScript(Launch l, InputStream in, PrintStream out, PrintStream err) {
        Path file = Path.of(l.target);
        if (!Files.isRegularFile(file)) {
            err.println("jgluon: no such script: " + l.target
                    + (l.target.endsWith(".js") || l.target.endsWith(".mjs") ? "" : " (jgluon --help shows the usage)"));
            return 1;
        }
        Path root = file.toAbsolutePath().normalize().getParent();
        JsSession.Settings s = new JsSession.Settings(root, l.allowHostAccess, l.target, l.scriptArgs, in, out, err);
        return runCode(s, l.debug, out, err, session -> session.evalFile(file));
    }

    interface Body {
        void run(JsSession session) throws Exception;
    }

    static int runCode(JsSession.Settings s, boolean debug, PrintStream out, PrintStream err, Body body) {
        try (JsSession session = new JsSession(s)) {
            body.run(session);
            return 0;
        } catch (PolyglotException e) {
            return report(e, debug, s.program(), out, err);
        } catch (NoSuchFileException e) {
            err.println("jgluon: no such file: " + e.getFile());
            return 1;
        } catch (Exception e) {
            err.println("jgluon: " + e);
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Prints a script's failure; returns the exit status it means. */
    static int report(PolyglotException e, boolean debug, String program, PrintStream out, PrintStream err) {
        if (e.isExit()) {
            return e.getExitStatus();
        }
        if (e.isHostException()) {
            Throwable h = e.asHostException();
            if (h instanceof Bridge.ScriptExit x) {
                return x.code;
            }
            if (h instanceof ScriptArgs.HelpRequested help) {
                out.println(help.getMessage());
                return 0;
            }
            if (h instanceof ScriptArgs.UsageException u) {
                err.println(program + ": error: " + u.getMessage());
                err.println(u.usage);
                return 2;
            }
        }
        err.println(ErrorReport.format(e, debug));
        return 1;
    }

    private static int runRepl(Launch l, InputStream in, PrintStream out, PrintStream err) {
        try (Terminal terminal = in == System.in
                ? TerminalBuilder.builder().name("jgluon").system(true).dumb(true).build()
                : new DumbTerminal("jgluon", Terminal.TYPE_DUMB, in, out, StandardCharsets.UTF_8)) {
            JsSession.Settings s = new JsSession.Settings(Path.of(""), l.allowHostAccess, "<repl>", l.scriptArgs,
                    new ByteArrayInputStream(new byte[0]), terminal.output(), err);
            try (JsSession session = new JsSession(s)) {
                boolean interactive = in == System.in && System.console() != null && System.console().isTerminal();
                return new Repl(session, terminal, Repl.defaultHistoryFile(), l.debug, interactive).run();
            }
        } catch (PolyglotException e) {
            err.println(ErrorReport.format(e, true));
            return 1;
        } catch (java.io.IOException e) {
            err.println("jgluon: cannot open the terminal: " + e.getMessage());
            return 1;
        }
    }
}
